import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IdcUser, IdentityRecord } from '../domain.js';
import {
  type IdentitySummary,
  type IdentityWrite,
  identityFingerprint,
  identityWrite,
  type ListingRun,
  mergeIdentity,
} from '../identity-merge.js';
import {
  BatchWriter,
  batchGet,
  forEachConcurrently,
  type Item,
  scanInSegments,
  writeIf,
} from './batch.js';

/**
 * Key of the one item of the identities table that is not a user: the newest COMPLETE listing
 * recorded. IdC user ids are UUIDs, so it cannot collide with one.
 */
export const LISTING_STATE_KEY = '#LISTING';

/** Conditional `goneAt` updates in flight at once after a COMPLETE listing (small items). */
const GONE_UPDATES_IN_FLIGHT = 16;

/**
 * The item a record is stored as: the record plus `digest`, the fingerprint of its
 * listing-determined attributes, so a listing can compare without reading the record.
 */
export function toIdentityItem(record: IdentityRecord, extra: Item = {}): Item {
  return { ...record, ...extra, digest: identityFingerprint(record) };
}

/** The record an item stands for (the digest is storage detail). */
export function fromIdentityItem(item: Item): IdentityRecord {
  const { digest: _digest, ...record } = item;
  return record as unknown as IdentityRecord;
}

/** The newest COMPLETE listing recorded, if any. */
export async function latestListing(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<ListingRun | undefined> {
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: { userId: LISTING_STATE_KEY }, ConsistentRead: true }),
  );
  return out.Item ? toListingRun(out.Item) : undefined;
}

export const toListingRun = (item: Item): ListingRun => ({
  runId: item.runId as string,
  startedAt: item.startedAt as string,
});

export interface IdentityListingOptions {
  readonly runId: string;
  /** When the listing started: a record touched after it (an event) is never marked gone. */
  readonly listingStartedAt: string;
  /** Segments of the parallel Scan that loads the index. */
  readonly scanSegments: number;
}

export type IdentityListingStats = Record<NonNullable<IdentityWrite>, number> & {
  /** Records in the identity map when the listing started (the Scan). */
  indexed: number;
  /** Records written (new, changed, revived). */
  written: number;
  /** Records read back in full before a rewrite (to keep firstSeen and history). */
  reread: number;
};

/** What a listing's Scan reads of each record: enough to decide whether a sighting needs a write. */
const SUMMARY_ATTRIBUTES = ['userId', 'lastSeen', 'goneAt', 'digest'];

/**
 * Records per Scan page (about 110 bytes each on the wire): responses under 128 KB die young,
 * while a 1 MB response lands in V8's large-object space until a full collection.
 */
const INDEX_SCAN_LIMIT = 1_000;

/**
 * What the index holds per user: the record's summary until the listing shows the user, then
 * `SHOWN` (the summary is not needed any more, so the index shrinks as the listing proceeds).
 */
const SHOWN = Symbol('shown by this listing');
type IndexEntry = IdentitySummary | typeof SHOWN;

/**
 * Summaries of the records the Scan read. Times repeat across records (every record a run wrote
 * has the same `lastSeen`), so each distinct time is held once.
 */
class Summaries {
  private readonly times = new Map<string, string>();

  summary(item: Item): IdentitySummary {
    const goneAt = typeof item.goneAt === 'string' ? this.time(item.goneAt) : undefined;
    return {
      lastSeen: this.time(item.lastSeen as string),
      // A record without a digest (written before digests existed) reads as changed: rewritten once.
      fingerprint: typeof item.digest === 'string' ? item.digest : '',
      ...(goneAt ? { goneAt } : {}),
    };
  }

  private time(t: string): string {
    const known = this.times.get(t);
    if (known !== undefined) return known;
    this.times.set(t, t);
    return t;
  }
}

/**
 * One IdC listing being recorded into the identity map. On creation it Scans the map into a
 * compact index (userId → lastSeen, goneAt, digest), so each page writes only the users that are
 * new, changed, or seen again after `goneAt`; an unchanged user costs no read and no write.
 * After a COMPLETE listing, the users of the index the listing did not show are marked gone (a
 * set difference), and the listing becomes the newest recorded one: the last sighting of every
 * record not gone (see `identityView`).
 */
export class IdentityListing {
  private readonly summaries = new Summaries();
  /** Released (emptied) once the listing is done with it: it is the listing's largest part. */
  private index: Promise<Map<string, IndexEntry>>;
  private readonly previous: Promise<ListingRun | undefined>;
  private readonly writer: BatchWriter;
  readonly stats: IdentityListingStats = {
    indexed: 0,
    written: 0,
    reread: 0,
    new: 0,
    changed: 0,
    revived: 0,
  };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: IdentityListingOptions,
  ) {
    this.writer = new BatchWriter(doc, table, { keyOf: (item) => item.userId as string });
    this.previous = latestListing(doc, table);
    this.index = this.loadIndex();
    // Surfaced by the first recordPage/markUnseenGone; not an unhandled rejection meanwhile.
    this.previous.catch(() => undefined);
    this.index.catch(() => undefined);
  }

  /** Records one page of the listing, seen at `at`; waits only when every write call is busy. */
  async recordPage(users: readonly IdcUser[], at: string): Promise<void> {
    const index = await this.index;
    const reread: IdcUser[] = [];
    for (const user of users) {
      const known = index.get(user.userId);
      if (known === SHOWN) continue; // listed twice: recorded the first time
      if (known) index.set(user.userId, SHOWN);
      const why = identityWrite(known, user, at);
      if (why === undefined) continue;
      this.stats[why]++;
      // A new user is not added to the index: this listing showed it, so it is never marked gone.
      if (why === 'new') await this.write(mergeIdentity(undefined, user, at));
      else reread.push(user);
    }
    if (reread.length === 0) return;
    const ids = new Set(reread.map((u) => u.userId));
    const stored = await batchGet(
      this.doc,
      this.table,
      [...ids].map((userId) => ({ userId })),
    );
    this.stats.reread += stored.length;
    const byId = new Map(stored.map((r) => [r.userId as string, fromIdentityItem(r)]));
    for (const user of reread) await this.write(mergeIdentity(byId.get(user.userId), user, at));
  }

  /** Waits until every record is written; throws the first write failure. */
  async flush(): Promise<void> {
    await this.writer.flush();
    this.stats.written = this.writer.stats.items;
  }

  /**
   * After a COMPLETE listing: every user of the index the listing did not show, not gone yet
   * and not touched since the listing started, gets `goneAt = at` and, as `lastSeen`, the
   * listing recorded before this one (which showed them). Conditional, so it is set once and
   * never on a record an event touched meanwhile. Then records this listing as the newest.
   * Returns the ids marked.
   */
  async markUnseenGone(at: string, inFlight = GONE_UPDATES_IN_FLIGHT): Promise<string[]> {
    await this.flush();
    const { listingStartedAt: start, runId } = this.options;
    const previous = await this.previous;
    const candidates: [string, string][] = [];
    for (const [id, e] of await this.index) {
      if (e === SHOWN || e.goneAt !== undefined || e.lastSeen >= start) continue;
      const last = previous && previous.startedAt > e.lastSeen ? previous : undefined;
      candidates.push([id, last?.startedAt ?? e.lastSeen]);
    }
    const marked: string[] = [];
    await forEachConcurrently(candidates, inFlight, async ([userId, lastSeen]) => {
      const update = new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression: 'SET goneAt = :at, lastSeen = :seen',
        ConditionExpression:
          'attribute_exists(userId) AND attribute_not_exists(goneAt) AND lastSeen < :start',
        ExpressionAttributeValues: { ':at': at, ':seen': lastSeen, ':start': start },
      });
      if (await writeIf(this.doc.send(update))) marked.push(userId);
    });
    await this.recordListing({ runId, startedAt: start });
    this.release();
    return marked;
  }

  /** Drops the index (after a PARTIAL listing, or once the unseen are marked). */
  release(): void {
    this.index = Promise.resolve(new Map());
  }

  /** Names `listing` the newest recorded, unless a newer one already is. */
  private async recordListing(listing: ListingRun): Promise<void> {
    const put = new PutCommand({
      TableName: this.table,
      Item: { userId: LISTING_STATE_KEY, ...listing },
      ConditionExpression: 'attribute_not_exists(userId) OR startedAt < :s',
      ExpressionAttributeValues: { ':s': listing.startedAt },
    });
    await writeIf(this.doc.send(put));
  }

  private async write(record: IdentityRecord): Promise<void> {
    await this.writer.put(toIdentityItem(record, { lastSeenRunId: this.options.runId }));
  }

  private async loadIndex(): Promise<Map<string, IndexEntry>> {
    const index = new Map<string, IndexEntry>();
    const names = Object.fromEntries(SUMMARY_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    await scanInSegments(
      this.doc,
      {
        TableName: this.table,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        Limit: INDEX_SCAN_LIMIT,
      },
      this.options.scanSegments,
      (items: Item[]) => {
        for (const item of items) {
          const userId = item.userId as string;
          if (userId !== LISTING_STATE_KEY) index.set(userId, this.summaries.summary(item));
        }
      },
    );
    this.stats.indexed = index.size;
    return index;
  }
}
