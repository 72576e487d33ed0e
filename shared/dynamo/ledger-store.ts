import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from '../domain.js';
import { IdsyncError, RemoteServiceError } from '../errors.js';
import {
  type LedgerRun,
  ledgerMembersDigest,
  ledgerView,
  type MemberSighting,
  mergeLedgerBucket,
  type StoredLedgerEntry,
  stableHash,
} from '../identity-merge.js';
import { tableSpec } from '../tables.js';
import {
  batchGet,
  forEachConcurrently,
  type Item,
  scanPages,
  scanPagesInSegments,
  writeIf,
} from './batch.js';

/**
 * Buckets the ledger's entries are spread over (by a hash of the email). Fixed: changing it
 * would move every entry to another bucket.
 */
export const LEDGER_BUCKETS = 1024;
/** Largest `entries` JSON of one bucket (DynamoDB items are at most 400 KB). */
const MAX_BUCKET_BYTES = 350_000;
/**
 * Buckets on the first Scan page when reading entries (about 20 KB each at 100k people). Each
 * later page of a segment is sized from the buckets just read to hold about ENTRY_PAGE_BYTES
 * (never fewer than SCAN_LIMIT buckets, nor more than MAX_SCAN_LIMIT): responses under 128 KB
 * die young, while a 1 MB response lands in V8's large-object space until a full collection. At
 * 2,000 people a bucket is ~0.5 KB, so the 1,024 buckets take ~20 pages instead of ~200.
 * Summaries (key, version, digest) are about 100 bytes each.
 */
const SCAN_LIMIT = 5;
const MAX_SCAN_LIMIT = 1_000;
const ENTRY_PAGE_BYTES = 100_000;
const SUMMARY_SCAN_LIMIT = 500;
/**
 * Segments of the parallel Scan that reads every entry: 8, so the ~200 small pages of 1,024
 * buckets are not read one round trip after another; at most 8 pages are held at once.
 */
const ENTRY_SCAN_SEGMENTS = 8;
/**
 * Bucket writes in flight at once: 16. Each is a read and a conditional put of one bucket (about
 * 10 KB at 100,000 people), so the memory held stays small; the reconcile benchmark measured the
 * round trips, not the bytes, as the cost (BENCHMARKS.md, Reconcile overhead).
 */
const PUTS_IN_FLIGHT = 16;
/** Changed buckets read per BatchGetItem (its limit: 100 keys). */
const BATCH_READ = 100;
/** Attempts at a bucket write that lost a race with another writer (re-read, re-merged each time). */
const MAX_CONFLICTS = 5;

/**
 * The next entry page's size: as many buckets as fit ENTRY_PAGE_BYTES at the mean size of the
 * buckets just read (their `entries` JSON), within SCAN_LIMIT..MAX_SCAN_LIMIT.
 */
export function nextEntryScanLimit(page: readonly Item[], limit: number): number {
  if (page.length === 0) return limit;
  let bytes = 0;
  for (const item of page) bytes += typeof item.entries === 'string' ? item.entries.length : 0;
  const perBucket = Math.max(bytes / page.length, 1);
  return Math.min(MAX_SCAN_LIMIT, Math.max(SCAN_LIMIT, Math.floor(ENTRY_PAGE_BYTES / perBucket)));
}

const KEY = tableSpec('ledger').partitionKey.name;
const STATE_KEY = 'STATE';
const BUCKET_PREFIX = 'BUCKET#';

/** The bucket a (normalised) email belongs to. */
export const ledgerBucketOf = (email: string): string =>
  `${BUCKET_PREFIX}${String(stableHash(email) % LEDGER_BUCKETS).padStart(4, '0')}`;

interface BucketSummary {
  readonly key: string;
  /** 0 when the bucket has no item yet. */
  readonly version: number;
  /** `ledgerMembersDigest` of its members (absent on a bucket written before digests). */
  readonly membersDigest?: string;
}

interface Bucket extends BucketSummary {
  readonly entries: Readonly<Record<string, StoredLedgerEntry>>;
}

const toSummary = (item: Item): BucketSummary => ({
  key: item[KEY] as string,
  version: item.version as number,
  ...(typeof item.membersDigest === 'string' ? { membersDigest: item.membersDigest } : {}),
});

const toBucket = (item: Item): Bucket => ({
  ...toSummary(item),
  entries: JSON.parse(item.entries as string) as Record<string, StoredLedgerEntry>,
});

/** The people of packed sightings (`email, googleId, groups…` tab-separated), groups merged. */
function mergeSightings(packed: readonly string[]): MemberSighting[] {
  const byEmail = new Map<string, { email: string; googleId: string; groups: string[] }>();
  for (const p of packed) {
    const [email = '', googleId = '', ...groups] = p.split('\t');
    const known = byEmail.get(email);
    if (!known) byEmail.set(email, { email, googleId, groups });
    else for (const g of groups) if (!known.groups.includes(g)) known.groups.push(g);
  }
  return [...byEmail.values()];
}

/**
 * The membership ledger (table `ledger`): everyone idsync has seen as a member. Never pruned.
 * Entries live in `LEDGER_BUCKETS` items keyed `BUCKET#nnnn` (an email's bucket is a hash of
 * it), each holding its entries as one JSON object, plus a `STATE` item naming the newest
 * COMPLETE snapshot recorded. A snapshot rewrites only the buckets in which something changed
 * (a new member, changed groups or id, someone who left or came back); a member's last sighting
 * is the newest recorded snapshot (see `ledgerView`), so it needs no rewrite per run.
 */
export class DynamoLedger {
  /**
   * Of the last `recordMembers`: buckets read in full (their digest differed), written, and
   * writes that lost a race and were redone.
   */
  readonly stats = { bucketsRead: 0, bucketsWritten: 0, conflicts: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Records the members of a COMPLETE snapshot seen at `at`. A person may come several times
   * (once per group that listed them: one row each); their groups are merged. Returns how many
   * people were recorded.
   */
  async recordMembers(
    members: Iterable<MemberSighting> | AsyncIterable<MemberSighting>,
    at: string,
    runId: string,
  ): Promise<number> {
    Object.assign(this.stats, { bucketsRead: 0, bucketsWritten: 0, conflicts: 0 });
    const previous = await this.latestRun();
    // Grouped by bucket as one flat string per sighting: 100k sighting objects would not be small.
    const seen = new Map<string, string[]>();
    for await (const m of members) {
      const key = ledgerBucketOf(m.email);
      const packed = [m.email, m.googleId, ...m.groups].join('\t');
      const list = seen.get(key);
      if (list) list.push(packed);
      else seen.set(key, [packed]);
    }
    let count = 0;
    const run: LedgerRun = { runId, at };
    // The buckets whose members changed; the stored ones are read BATCH_READ at a time
    // (BatchGetItem), each then merged and written back conditional on its version.
    const changed: Array<{ summary: BucketSummary; sightings: MemberSighting[]; digest: string }> =
      [];
    for await (const summary of this.allBuckets(seen.keys())) {
      const sightings = mergeSightings(seen.get(summary.key) ?? []);
      seen.delete(summary.key);
      count += sightings.length;
      const digest = ledgerMembersDigest(sightings);
      // Same members, ids and groups as stored: nothing to read, nothing to write.
      if (summary.membersDigest !== digest) changed.push({ summary, sightings, digest });
    }
    for (let i = 0; i < changed.length; i += BATCH_READ) {
      const chunk = changed.slice(i, i + BATCH_READ);
      const stored = await this.getBuckets(
        chunk.filter((c) => c.summary.version !== 0).map((c) => c.summary.key),
      );
      await forEachConcurrently(chunk, PUTS_IN_FLIGHT, async ({ summary, sightings, digest }) => {
        const bucket = stored.get(summary.key) ?? { key: summary.key, entries: {}, version: 0 };
        await this.mergeAndWrite(bucket, sightings, digest, run, previous);
      });
    }
    await this.recordRun(run);
    return count;
  }

  /** Every ledger entry, one array per page of buckets. */
  async *entries(): AsyncIterable<LedgerEntry[]> {
    const latest = await this.latestRun();
    const pages = scanPagesInSegments(
      this.doc,
      { TableName: this.table, Limit: SCAN_LIMIT },
      ENTRY_SCAN_SEGMENTS,
      nextEntryScanLimit,
    );
    for await (const page of pages) {
      const out: LedgerEntry[] = [];
      for (const item of page) {
        if (!String(item[KEY]).startsWith(BUCKET_PREFIX)) continue;
        for (const entry of Object.values(toBucket(item).entries))
          out.push(ledgerView(entry, latest));
      }
      if (out.length > 0) yield out;
    }
  }

  /** The newest COMPLETE snapshot recorded, if any. */
  async latestRun(): Promise<LedgerRun | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { [KEY]: STATE_KEY }, ConsistentRead: true }),
    );
    return out.Item ? { runId: out.Item.runId as string, at: out.Item.at as string } : undefined;
  }

  /**
   * The summary of every stored bucket (streamed from a Scan of keys, versions and digests), then
   * an empty one per key in `wanted` not stored.
   */
  private async *allBuckets(wanted: Iterable<string>): AsyncIterable<BucketSummary> {
    const missing = new Set(wanted);
    const pages = scanPages(this.doc, {
      TableName: this.table,
      ProjectionExpression: '#k, #v, membersDigest',
      ExpressionAttributeNames: { '#k': KEY, '#v': 'version' },
      Limit: SUMMARY_SCAN_LIMIT,
    });
    for await (const page of pages) {
      for (const item of page) {
        if (!String(item[KEY]).startsWith(BUCKET_PREFIX)) continue;
        missing.delete(item[KEY] as string);
        yield toSummary(item);
      }
    }
    for (const key of missing) yield { key, version: 0 };
  }

  /** Merges a bucket and writes it if it changed, conditional on its version (re-read on a race). */
  private async mergeAndWrite(
    bucket: Bucket,
    seen: readonly MemberSighting[],
    digest: string,
    run: LedgerRun,
    previous: LedgerRun | undefined,
  ): Promise<void> {
    for (let current = bucket, attempt = 1; ; attempt++) {
      const { entries, changed } = mergeLedgerBucket(current.entries, seen, run, previous);
      // Unchanged but without the digest (written before digests): written once to add it.
      if (!changed && current.membersDigest === digest) return;
      if (await this.putBucket(current, entries, digest, run.at)) {
        this.stats.bucketsWritten++;
        return;
      }
      if (attempt >= MAX_CONFLICTS) {
        throw new RemoteServiceError(
          'DynamoDB',
          `ledger ${current.key}: ${attempt} conflicting writes in a row`,
          { retryable: true },
        );
      }
      this.stats.conflicts++;
      current = await this.getBucket(current.key);
    }
  }

  /** Writes a bucket unless another writer changed it since it was read (then false). */
  private putBucket(
    bucket: BucketSummary,
    entries: Readonly<Record<string, StoredLedgerEntry>>,
    membersDigest: string,
    at: string,
  ): Promise<boolean> {
    const json = JSON.stringify(entries);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_BUCKET_BYTES) {
      throw new IdsyncError(
        `ledger ${bucket.key} would hold ${bytes} bytes: more people than ${LEDGER_BUCKETS} buckets can hold`,
      );
    }
    const condition: Partial<PutCommandInput> =
      bucket.version === 0
        ? {
            ConditionExpression: 'attribute_not_exists(#k)',
            ExpressionAttributeNames: { '#k': KEY },
          }
        : {
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': bucket.version },
          };
    const put = new PutCommand({
      TableName: this.table,
      Item: {
        [KEY]: bucket.key,
        entries: json,
        count: Object.keys(entries).length,
        membersDigest,
        version: bucket.version + 1,
        updatedAt: at,
      },
      ...condition,
    });
    return writeIf(this.doc.send(put));
  }

  /** Buckets by key, read consistently in one BatchGetItem per 100 (a key not stored is absent). */
  private async getBuckets(keys: readonly string[]): Promise<Map<string, Bucket>> {
    if (keys.length === 0) return new Map();
    const items = await batchGet(
      this.doc,
      this.table,
      keys.map((k) => ({ [KEY]: k })),
      { consistentRead: true },
    );
    this.stats.bucketsRead += keys.length;
    return new Map(items.map((item) => [item[KEY] as string, toBucket(item)]));
  }

  private async getBucket(key: string): Promise<Bucket> {
    this.stats.bucketsRead++;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { [KEY]: key }, ConsistentRead: true }),
    );
    return out.Item ? toBucket(out.Item) : { key, entries: {}, version: 0 };
  }

  /** Names `run` the newest recorded snapshot, unless a newer one already is. */
  private async recordRun(run: LedgerRun): Promise<void> {
    const put = new PutCommand({
      TableName: this.table,
      Item: { [KEY]: STATE_KEY, runId: run.runId, at: run.at, buckets: LEDGER_BUCKETS },
      ConditionExpression: 'attribute_not_exists(#k) OR #at < :at',
      ExpressionAttributeNames: { '#k': KEY, '#at': 'at' },
      ExpressionAttributeValues: { ':at': run.at },
    });
    await writeIf(this.doc.send(put));
  }
}
