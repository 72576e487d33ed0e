import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ActivityDelta,
  type ActivityRecord,
  type ActivitySource,
  activityKey,
  type CreationMark,
  type MergeOptions,
  mergeActivity,
  type Span,
} from '../activity-record.js';
import { RemoteServiceError } from '../errors.js';
import {
  combinePending,
  PENDING_KEY_PREFIX,
  type PendingEvents,
  type PendingEvidence,
  pendingKey,
} from '../pending-events.js';
import { tableSpec } from '../tables.js';
import { IDC_USER_ID_PATTERN } from '../value-limits.js';
import { batchGet, forEachConcurrently, type Item, scanPages, writeIf } from './batch.js';
import { type ActivityCoverage, type RegionCursorPort, SyncCursors } from './sync-cursors.js';

export {
  type ActivityCoverage,
  cursorKey,
  intersectSpans,
  LEGACY_CURSOR_KEY,
  REGIONS_KEY,
  type RegionCursorPort,
  type SyncCursor,
  type SyncWindow,
} from './sync-cursors.js';

/**
 * The activity record (table `activity`, docs/DATA-MODEL.md): one item per QuickSight user,
 * keyed by `activityKey(namespace, userName)`, and control items (user keys never start with
 * `#`): the `activity sync` cursors, one per region, with the regions and the account-wide
 * coverage they make (./sync-cursors.ts, reached through this store), and one item per IAM
 * Identity Center user whose on-behalf-of events are not attributed yet (key
 * `#pending#<idcUserId>`, shared/pending-events.ts).
 *
 * Writes are coalesced (shared/activity-record.ts `mergeActivity`): evidence is read against
 * the stored item and written only when a time moves by more than an hour, with a condition on
 * the item's version, so a busy dashboard costs a read per view at most, not a write, and two
 * writers never lose each other's evidence.
 */

const KEY = tableSpec('activity').partitionKey.name;
/**
 * Conditional puts in flight at once: enough to write a page of 50 users well within the half
 * second LookupEvents' pace leaves between pages, few enough that requests in flight do not
 * pile up in the old generation (peak RSS, BENCHMARKS.md).
 */
const PUTS_IN_FLIGHT = 8;
/** Attempts at a write that lost a race with another writer (re-read and re-merged each time). */
const MAX_CONFLICTS = 5;

export type WriteOutcome = 'written' | 'unchanged';

const toRecord = (item: Item): ActivityRecord => {
  const { [KEY]: userKey, ...rest } = item;
  return { ...(rest as Omit<ActivityRecord, 'userKey'>), userKey: userKey as string };
};

const toPending = (item: Item): PendingEvents => {
  const { [KEY]: key, ...rest } = item;
  return {
    ...(rest as Omit<PendingEvents, 'idcUserId'>),
    idcUserId: String(key).slice(PENDING_KEY_PREFIX.length),
  };
};

export class DynamoActivityStore {
  /** Items written and writes redone after a lost race, since construction. */
  readonly stats = { written: 0, unchanged: 0, conflicts: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.cursors = new SyncCursors(doc, table, clock);
  }

  /** The sync's control items (cursors per region, regions, coverage). */
  private readonly cursors: SyncCursors;

  /** The record of a user key (`activityKey`), undefined when nothing is known. */
  async get(userKey: string): Promise<ActivityRecord | undefined> {
    if (userKey.startsWith('#')) return undefined;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { [KEY]: userKey }, ConsistentRead: true }),
    );
    return out.Item ? toRecord(out.Item) : undefined;
  }

  /** Every record, a Scan page at a time (control items left out). */
  async *all(): AsyncIterable<ActivityRecord[]> {
    for await (const page of scanPages(this.doc, { TableName: this.table })) {
      yield page.filter((i) => !String(i[KEY]).startsWith('#')).map(toRecord);
    }
  }

  /** The account-wide coverage (sync-cursors.ts `coverage`). */
  coverage(regions?: readonly string[]): Promise<ActivityCoverage> {
    return this.cursors.coverage(regions);
  }

  /** One QuickSight account's coverage (sync-cursors.ts `coverageOfAccount`; undefined: home). */
  coverageOfAccount(accountId: string | undefined): Promise<ActivityCoverage> {
    return this.cursors.coverageOfAccount(accountId);
  }

  /** The regions the last `activity sync` was configured to read, if any ran. */
  syncRegions(): Promise<string[] | undefined> {
    return this.cursors.syncRegions();
  }

  /** Records the regions `activity sync` reads (before it reads any), for `coverage()`. */
  putSyncRegions(regions: readonly string[]): Promise<void> {
    return this.cursors.putSyncRegions(regions);
  }

  /** The cursor of one region (sync-cursors.ts `cursorOf`). */
  cursorOf(region: string, options: { adoptLegacy?: boolean } = {}): RegionCursorPort {
    return this.cursors.cursorOf(region, options);
  }

  /** Records activity of one user (coalesced; see `mergeActivity`). */
  async recordActivity(
    namespace: string,
    userName: string,
    activity: { at: string; eventName: string; source: ActivitySource },
    span?: Span,
  ): Promise<WriteOutcome> {
    return this.record({
      namespace,
      userName,
      newest: activity,
      ...(span ? { spans: { [activity.source]: span } } : {}),
    });
  }

  /** Records creation evidence of one user (RegisterUser / CreateUser): not activity. */
  async recordCreation(
    namespace: string,
    userName: string,
    created: CreationMark,
  ): Promise<WriteOutcome> {
    return this.record({ namespace, userName, created });
  }

  /** Merges any evidence about one user; written only when it changes the record materially. */
  async record(delta: ActivityDelta): Promise<WriteOutcome> {
    const [outcome] = await this.recordMany([delta]);
    return outcome ?? 'unchanged';
  }

  /**
   * Merges evidence about many users (one delta per user: fold a page's events with
   * `combineDeltas` first): one BatchGetItem, then a conditional put for each record that
   * changes materially (`options`: `exact` / `exactNewest` write smaller moves, see
   * `mergeActivity`). Outcomes in the order of `deltas`.
   */
  async recordMany(
    deltas: readonly ActivityDelta[],
    options: MergeOptions = {},
  ): Promise<WriteOutcome[]> {
    const keys = deltas.map((d) => activityKey(d.namespace, d.userName));
    if (new Set(keys).size !== keys.length) throw new Error('recordMany: one delta per user');
    const found = new Map(
      (
        await batchGet(
          this.doc,
          this.table,
          keys.map((k) => ({ [KEY]: k })),
        )
      ).map((i) => [i[KEY] as string, toRecord(i)]),
    );
    const outcomes: WriteOutcome[] = new Array(deltas.length);
    await forEachConcurrently(deltas.keys(), PUTS_IN_FLIGHT, async (i) => {
      outcomes[i] = await this.writeMerged(
        deltas[i] as ActivityDelta,
        found.get(keys[i] as string),
        options,
      );
    });
    return outcomes;
  }

  private async writeMerged(
    delta: ActivityDelta,
    known: ActivityRecord | undefined,
    options: MergeOptions,
  ): Promise<WriteOutcome> {
    let current = known;
    for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
      const next = mergeActivity(current, delta, this.clock().toISOString(), options);
      if (!next) {
        this.stats.unchanged++;
        return 'unchanged';
      }
      const { userKey, ...rest } = next;
      const written = await writeIf(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { [KEY]: userKey, ...rest },
            ...(current
              ? {
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': current.version },
                }
              : { ConditionExpression: `attribute_not_exists(${KEY})` }),
          }),
        ),
      );
      if (written) {
        this.stats.written++;
        return 'written';
      }
      this.stats.conflicts++;
      current = await this.get(userKey);
    }
    throw new RemoteServiceError(
      'DynamoDB',
      `activity record of ${delta.userName}: ${MAX_CONFLICTS} conflicting writers`,
      { retryable: true },
    );
  }

  /**
   * Keeps on-behalf-of evidence of IdC users that resolved to no QuickSight user (one piece per
   * IdC user id): merged into the `#pending#<idcUserId>` item with a version condition, re-read
   * and merged again after a lost race. Ids that are no IdC user id are refused (they would name
   * other control items).
   */
  async addPending(evidence: readonly PendingEvidence[]): Promise<void> {
    for (const e of evidence)
      if (!IDC_USER_ID_PATTERN.test(e.idcUserId))
        throw new RangeError(`not an IdC user id: ${JSON.stringify(e.idcUserId.slice(0, 60))}`);
    await forEachConcurrently(evidence.values(), PUTS_IN_FLIGHT, (e) => this.mergePending(e));
  }

  private async mergePending(evidence: PendingEvidence): Promise<void> {
    const key = pendingKey(evidence.idcUserId);
    for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { [KEY]: key }, ConsistentRead: true }),
      );
      const current = out.Item ? toPending(out.Item) : undefined;
      const merged = current ? combinePending(current, evidence) : evidence;
      const written = await writeIf(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              [KEY]: key,
              ...merged,
              updatedAt: this.clock().toISOString(),
              version: (current?.version ?? 0) + 1,
            },
            ...(current
              ? {
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': current.version },
                }
              : { ConditionExpression: `attribute_not_exists(${KEY})` }),
          }),
        ),
      );
      if (written) return;
      this.stats.conflicts++;
    }
    throw new RemoteServiceError(
      'DynamoDB',
      `pending events of IdC user ${evidence.idcUserId}: ${MAX_CONFLICTS} conflicting writers`,
      { retryable: true },
    );
  }

  /**
   * Every `#pending#` item (a Scan of the table filtered to them: read once per sync and per
   * `idsync inactive`).
   */
  async pendingEvents(): Promise<PendingEvents[]> {
    const out: PendingEvents[] = [];
    const pages = scanPages(this.doc, {
      TableName: this.table,
      FilterExpression: 'begins_with(#k, :p)',
      ExpressionAttributeNames: { '#k': KEY },
      ExpressionAttributeValues: { ':p': PENDING_KEY_PREFIX },
    });
    for await (const page of pages) out.push(...page.map(toPending));
    return out;
  }

  /**
   * Deletes a pending item once its evidence is merged into the users' records, if nobody added
   * to it since it was read (then it stays, and the next sync merges it again: merging twice
   * changes nothing). True when deleted.
   */
  async deletePending(item: Pick<PendingEvents, 'idcUserId' | 'version'>): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { [KEY]: pendingKey(item.idcUserId) },
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': item.version },
        }),
      ),
    );
  }
}
