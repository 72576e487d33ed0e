import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { GoogleMember, QuickSightUser, SnapshotSource, SnapshotStatus } from '../domain.js';
import { normalizeEmail } from '../email.js';
import { IdsyncError } from '../errors.js';
import type { RefusalSummary } from '../listing-limits.js';
import { BatchWriter, type Item, queryPages } from './batch.js';

/** What one source contributed to a snapshot. */
export interface SourceSummary {
  readonly count: number;
  readonly pages: number;
  readonly error?: string;
  /** Google only: members listed per configured group. */
  readonly groups?: Readonly<Record<string, number>>;
  /**
   * Google only: members listed per keep group (IDSYNC_INACTIVE_KEEP_GROUPS), stored apart
   * (`keepGroupRows`); absent when none was configured.
   */
  readonly keepGroups?: Readonly<Record<string, number>>;
  /** Listed values over their limits (shared/listing-limits.ts): how many, and why. */
  readonly invalid?: RefusalSummary;
  /**
   * QuickSight only, with several scopes (IDSYNC_QUICKSIGHT_ACCOUNTS): users listed per scope
   * key (the home scope's under its namespace); absent when every user is the home scope's.
   */
  readonly scopes?: Readonly<Record<string, number>>;
}

export interface SnapshotManifest {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: SnapshotStatus;
  readonly sources: Partial<Record<SnapshotSource, SourceSummary>>;
  readonly reason?: string;
  readonly expiresAt?: number;
}

/**
 * The row partitions of a run: one per source, and `keep` for the members of the keep groups
 * (IDSYNC_INACTIVE_KEEP_GROUPS), apart from `google` so no reader of the configured groups'
 * members (ledger, leavers, re-join checks) ever sees them.
 */
export type StoredRows = SnapshotSource | 'keep';
const PREFIX: Record<StoredRows, string> = {
  google: 'GOOGLE',
  idc: 'IDC',
  quicksight: 'QS',
  keep: 'KEEP',
};
const manifestKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'MANIFEST' });
const rowsPk = (runId: string, source: StoredRows) => `RUN#${runId}#${PREFIX[source]}`;
const chunkSk = (n: number) => String(n).padStart(6, '0');

/** A Google member row as stored (email normalised). */
export interface GoogleRow {
  readonly group: string;
  readonly email: string;
  readonly rawEmail: string;
  readonly googleId: string;
  readonly type?: string;
  readonly status?: string;
}

/** The row a Google member of `group` is stored as (group and email normalised). */
export function googleRow(group: string, m: GoogleMember): GoogleRow {
  return {
    group: group.toLowerCase(),
    email: normalizeEmail(m.email),
    rawEmail: m.email,
    googleId: m.id,
    type: m.type,
    ...(m.status ? { status: m.status } : {}),
  };
}

/**
 * The rows of one run that the plan, the worker and the idle selection read: the configured
 * groups' members, the keep groups' members and the QuickSight users (the same rows
 * `googleRows`, `keepGroupRows` and `quickSightUsers` return, in the same order).
 */
export interface SnapshotRows {
  readonly google: readonly GoogleRow[];
  readonly keep: readonly GoogleRow[];
  readonly quickSight: readonly QuickSightUser[];
}

/**
 * Largest encoded chunk stored in one item: DynamoDB items are at most 400 KB, and the key and
 * the other attributes need a little room.
 */
export const MAX_CHUNK_BYTES = 350_000;

/**
 * Chunks per Query page: a few KB each, so a response stays well under 128 KB (a 1 MB response
 * lands in V8's large-object space and is only freed by a full collection).
 */
const CHUNKS_PER_QUERY = 20;

/** A page of rows as stored: gzip of the rows' JSON array. */
export const encodeRows = (rows: readonly object[]): Uint8Array => gzipSync(JSON.stringify(rows));
export const decodeRows = (data: Uint8Array): Record<string, unknown>[] =>
  JSON.parse(gunzipSync(data).toString('utf8')) as Record<string, unknown>[];

/** The encoded chunks one page of rows is stored as: one, or halves until each fits an item. */
export function packRows(
  rows: readonly object[],
  maxBytes = MAX_CHUNK_BYTES,
): { data: Uint8Array; count: number }[] {
  const data = encodeRows(rows);
  if (data.byteLength <= maxBytes) return [{ data, count: rows.length }];
  if (rows.length === 1)
    throw new IdsyncError(`one snapshot row encodes to ${data.byteLength} bytes (max ${maxBytes})`);
  const half = Math.ceil(rows.length / 2);
  return [...packRows(rows.slice(0, half), maxBytes), ...packRows(rows.slice(half), maxBytes)];
}

/**
 * Writes the rows of one run, one item per source page (`sk` = the source's chunk number,
 * zero-padded), through BatchWriteItem with a few calls in flight.
 */
export class SnapshotPageWriter {
  private readonly chunks: Record<StoredRows, number> = {
    google: 0,
    idc: 0,
    quicksight: 0,
    keep: 0,
  };
  private readonly writer: BatchWriter;

  constructor(
    doc: DynamoDBDocumentClient,
    table: string,
    private readonly runId: string,
  ) {
    this.writer = new BatchWriter(doc, table);
  }

  /** Stores one page of a source's rows; waits only when every write call is busy. */
  async writePage(source: StoredRows, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    for (const { data, count } of packRows(rows)) {
      const sk = chunkSk(this.chunks[source]++);
      await this.writer.put({ pk: rowsPk(this.runId, source), sk, count, rows: data });
    }
  }

  /** Waits until every page is stored; throws the first write failure. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Items (chunks) written so far. */
  get itemsWritten(): number {
    return this.writer.stats.items;
  }
}

/** Snapshot manifests and rows (table `snapshots`). */
export class DynamoSnapshotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates the RUNNING manifest; a run id is used once. */
  async begin(runId: string, startedAt: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...manifestKey(runId),
          manifestKind: 'SNAPSHOT',
          runId,
          startedAt,
          status: 'RUNNING',
          sources: {},
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** A writer for the rows of a run, one item per source page. */
  pageWriter(runId: string): SnapshotPageWriter {
    return new SnapshotPageWriter(this.doc, this.table, runId);
  }

  /** Finishes a RUNNING manifest as COMPLETE or PARTIAL. */
  async finish(manifest: SnapshotManifest): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: manifestKey(manifest.runId),
        UpdateExpression: 'SET #s = :s, finishedAt = :f, sources = :src, reason = :r',
        ConditionExpression: '#s = :running',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':s': manifest.status,
          ':f': manifest.finishedAt,
          ':src': manifest.sources,
          ':r': manifest.reason ?? null,
          ':running': 'RUNNING',
        },
      }),
    );
  }

  /** Manifests, newest first. */
  async *manifests(): AsyncIterable<SnapshotManifest> {
    const pages = queryPages(this.doc, {
      TableName: this.table,
      IndexName: 'byManifest',
      KeyConditionExpression: 'manifestKind = :k',
      ExpressionAttributeValues: { ':k': 'SNAPSHOT' },
      ScanIndexForward: false,
    });
    for await (const page of pages) for (const item of page) yield toManifest(item);
  }

  /** The newest `count` COMPLETE manifests, newest first. */
  async latestComplete(count = 1): Promise<SnapshotManifest[]> {
    const out: SnapshotManifest[] = [];
    for await (const m of this.manifests()) {
      if (m.status === 'COMPLETE') out.push(m);
      if (out.length >= count) break;
    }
    return out;
  }

  async manifest(runId: string): Promise<SnapshotManifest | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: manifestKey(runId), ConsistentRead: true }),
    );
    return out.Item ? toManifest(out.Item) : undefined;
  }

  /** The rows one source contributed to a run, one array per stored page, in listing order. */
  async *rows(runId: string, source: StoredRows): AsyncIterable<Record<string, unknown>[]> {
    for await (const items of this.chunkItems(runId, source)) {
      for (const item of items) yield decodeRows(item.rows as Uint8Array);
    }
  }

  /** The members of the configured groups (IDSYNC_GOOGLE_GROUPS). */
  async *googleRows(runId: string): AsyncIterable<GoogleRow[]> {
    for await (const page of this.rows(runId, 'google')) yield page as unknown as GoogleRow[];
  }

  /** The members of the keep groups (IDSYNC_INACTIVE_KEEP_GROUPS), `group` naming the keep group. */
  async *keepGroupRows(runId: string): AsyncIterable<GoogleRow[]> {
    for await (const page of this.rows(runId, 'keep')) yield page as unknown as GoogleRow[];
  }

  async *quickSightUsers(runId: string): AsyncIterable<QuickSightUser[]> {
    for await (const page of this.rows(runId, 'quicksight')) {
      yield page as unknown as QuickSightUser[];
    }
  }

  /**
   * Gives every snapshot that is not one of the newest `keep` COMPLETE ones (and is not RUNNING)
   * an `expiresAt` of startedAt + retention, on its manifest and rows, once. Returns the run ids.
   */
  async expireOld(retentionDays: number, keep = 2): Promise<string[]> {
    const expired: string[] = [];
    let complete = 0;
    for await (const m of this.manifests()) {
      if (m.status === 'COMPLETE' && ++complete <= keep) continue;
      if (m.status === 'RUNNING' || m.expiresAt !== undefined) continue;
      const expiresAt = Math.floor(Date.parse(m.startedAt) / 1000) + retentionDays * 86_400;
      const writer = new BatchWriter(this.doc, this.table);
      for (const source of ['google', 'idc', 'quicksight', 'keep'] as const) {
        for await (const items of this.chunkItems(m.runId, source)) {
          for (const item of items) await writer.put({ ...item, expiresAt });
        }
      }
      await writer.flush();
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: manifestKey(m.runId),
          UpdateExpression: 'SET expiresAt = :e',
          ExpressionAttributeValues: { ':e': expiresAt },
        }),
      );
      expired.push(m.runId);
    }
    return expired;
  }

  private chunkItems(runId: string, source: StoredRows): AsyncIterable<Item[]> {
    return queryPages(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': rowsPk(runId, source) },
      Limit: CHUNKS_PER_QUERY,
    });
  }
}

function toManifest(item: Record<string, unknown>): SnapshotManifest {
  return {
    runId: item.runId as string,
    startedAt: item.startedAt as string,
    ...(item.finishedAt ? { finishedAt: item.finishedAt as string } : {}),
    status: item.status as SnapshotStatus,
    sources: (item.sources ?? {}) as SnapshotManifest['sources'],
    ...(item.reason ? { reason: item.reason as string } : {}),
    ...(typeof item.expiresAt === 'number' ? { expiresAt: item.expiresAt } : {}),
  };
}
