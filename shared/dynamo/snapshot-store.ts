import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  GoogleMember,
  IdcUser,
  QuickSightUser,
  SnapshotSource,
  SnapshotStatus,
} from '../domain.js';
import { normalizeEmail } from '../email.js';
import { BatchWriter } from './batch.js';

/** What one source contributed to a snapshot. */
export interface SourceSummary {
  readonly count: number;
  readonly pages: number;
  readonly error?: string;
  /** Google only: members listed per configured group. */
  readonly groups?: Readonly<Record<string, number>>;
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

const PREFIX: Record<SnapshotSource, string> = { google: 'GOOGLE', idc: 'IDC', quicksight: 'QS' };
const manifestKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'MANIFEST' });
const rowsPk = (runId: string, source: SnapshotSource) => `RUN#${runId}#${PREFIX[source]}`;

/** A Google member row as stored (email normalised). */
export interface GoogleRow {
  readonly group: string;
  readonly email: string;
  readonly rawEmail: string;
  readonly googleId: string;
}

/** Item builders: one per source, so the row layout lives in one place. */
export const snapshotRows = {
  google: (runId: string, group: string, m: GoogleMember) => {
    const email = normalizeEmail(m.email);
    return {
      pk: rowsPk(runId, 'google'),
      sk: `${group.toLowerCase()}#${email}`,
      group: group.toLowerCase(),
      email,
      rawEmail: m.email,
      googleId: m.id,
      type: m.type,
      ...(m.status ? { status: m.status } : {}),
    };
  },
  idc: (runId: string, u: IdcUser) => ({ pk: rowsPk(runId, 'idc'), sk: u.userId, ...u }),
  quicksight: (runId: string, u: QuickSightUser) => ({
    pk: rowsPk(runId, 'quicksight'),
    sk: u.userName === 'N/A' ? `N/A#${u.principalId ?? u.arn}` : u.userName,
    ...u,
  }),
};

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

  /** A writer for the rows of a run (BatchWriteItem, 25 per call, a few in flight). */
  rowWriter(): BatchWriter {
    return new BatchWriter(this.doc, this.table);
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
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byManifest',
          KeyConditionExpression: 'manifestKind = :k',
          ExpressionAttributeValues: { ':k': 'SNAPSHOT' },
          ScanIndexForward: false,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) yield toManifest(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
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
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': manifestKey(runId).pk, ':sk': 'MANIFEST' },
      }),
    );
    const item = page.Items?.[0];
    return item ? toManifest(item) : undefined;
  }

  /** The rows one source contributed to a run, page by page. */
  async *rows(runId: string, source: SnapshotSource): AsyncIterable<Record<string, unknown>[]> {
    yield* this.queryPk(rowsPk(runId, source));
  }

  async *googleRows(runId: string): AsyncIterable<GoogleRow[]> {
    for await (const page of this.rows(runId, 'google')) yield page as unknown as GoogleRow[];
  }

  async *quickSightUsers(runId: string): AsyncIterable<QuickSightUser[]> {
    for await (const page of this.rows(runId, 'quicksight')) {
      yield page.map(({ pk: _pk, sk: _sk, expiresAt: _e, ...u }) => u as unknown as QuickSightUser);
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
      const writer = this.rowWriter();
      for (const source of ['google', 'idc', 'quicksight'] as const) {
        for await (const page of this.rows(m.runId, source)) {
          for (const row of page) await writer.put({ ...row, expiresAt });
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

  private async *queryPk(pk: string): AsyncIterable<Record<string, unknown>[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey,
        }),
      );
      yield (page.Items ?? []) as Record<string, unknown>[];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
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
