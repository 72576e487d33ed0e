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
import { IDC_USER_ID_PATTERN } from '../input-values.js';
import {
  combinePending,
  PENDING_KEY_PREFIX,
  type PendingEvents,
  type PendingEvidence,
  pendingKey,
} from '../pending-events.js';
import { tableSpec } from '../tables.js';
import { batchGet, forEachConcurrently, type Item, scanPages, writeIf } from './batch.js';

/**
 * The activity record (table `activity`, docs/DATA-MODEL.md): one item per QuickSight user,
 * keyed by `activityKey(namespace, userName)`, and control items (user keys never start with
 * `#`): a CloudTrail sync cursor per region (`#cursor#cloudtrail#<region>`, `cursorKey`), the
 * regions the last `activity sync` was configured to read (`#regions#cloudtrail`), and one item
 * per IAM Identity Center user whose on-behalf-of events are not attributed yet (key
 * `#pending#<idcUserId>`, shared/pending-events.ts). The account-wide coverage is the
 * intersection of those regions' covered spans (`coverage`). The single cursor of earlier
 * versions (`#cursor#cloudtrail`, `LEGACY_CURSOR_KEY`) read `AWS_REGION` only; that region's
 * cursor starts from it (`cursorOf(region, { adoptLegacy })`), so no backfill is lost, and it is
 * never written again.
 *
 * Writes are coalesced (shared/activity-record.ts `mergeActivity`): evidence is read against
 * the stored item and written only when a time moves by more than an hour, with a condition on
 * the item's version, so a busy dashboard costs a read per view at most, not a write, and two
 * writers never lose each other's evidence.
 */

const KEY = tableSpec('activity').partitionKey.name;
/** The single cursor of earlier versions (the region they read: `AWS_REGION`). */
export const LEGACY_CURSOR_KEY = '#cursor#cloudtrail';
/** The regions `activity sync` reads, as the last run was configured. */
export const REGIONS_KEY = '#regions#cloudtrail';
/** The CloudTrail sync cursor of one region. */
export const cursorKey = (region: string): string => `${LEGACY_CURSOR_KEY}#${region}`;
/**
 * Conditional puts in flight at once: enough to write a page of 50 users well within the half
 * second LookupEvents' pace leaves between pages, few enough that requests in flight do not
 * pile up in the old generation (peak RSS, BENCHMARKS.md).
 */
const PUTS_IN_FLIGHT = 8;
/** Attempts at a write that lost a race with another writer (re-read and re-merged each time). */
const MAX_CONFLICTS = 5;

/** The window of CloudTrail `activity sync` is working through (newest first). */
export interface SyncWindow {
  /** `[from, to)`: StartTime and EndTime of the LookupEvents calls. */
  readonly from: string;
  readonly to: string;
  /** `catch-up` extends the coverage forward, `backfill` backward. */
  readonly kind: 'catch-up' | 'backfill';
  /**
   * Exclusive end of the queries when it differs from `to`: after CloudTrail refused a
   * NextToken, the rest of the window is `[from, queryTo)` (see `oldestAt`).
   */
  readonly queryTo?: string;
  /** NextToken of the next page, when one page or more of the window is done. */
  readonly nextToken?: string;
  /**
   * The oldest event time processed in this window and the event ids at exactly that time:
   * when a NextToken is refused (expired), the window resumes as `[from, oldestAt]` skipping
   * these ids, so nothing is read twice or missed.
   */
  readonly oldestAt?: string;
  readonly oldestIds?: readonly string[];
  readonly pages: number;
  readonly events: number;
}

/** The stored state of `activity sync` in one region. */
export interface SyncCursor {
  /** Every CloudTrail QuickSight event in `[from, to)` has been processed. */
  readonly covered?: Span;
  /** The window in progress, if any. */
  readonly window?: SyncWindow;
  readonly updatedAt: string;
  /** Optimistic-concurrency version (0: no cursor stored yet). */
  readonly version: number;
}

/** The account-wide coverage of the record. */
export interface ActivityCoverage {
  /**
   * The span in which every CloudTrail QuickSight event was read (`activity sync`) in every
   * region it reads: a user with no activity in it had none, as far as CloudTrail knows.
   * Undefined before a window completes in each of those regions.
   */
  readonly cloudtrail?: Span;
}

/** One region's cursor, as `runActivitySync` reads and moves it. */
export interface RegionCursorPort {
  getCursor(): Promise<SyncCursor>;
  putCursor(
    previous: SyncCursor,
    next: { covered?: Span; window?: SyncWindow },
  ): Promise<SyncCursor | undefined>;
}

/**
 * The span every one of `spans` covers (latest start, earliest end); undefined when one of them
 * is missing, when there are none, or when they do not overlap.
 */
export function intersectSpans(spans: readonly (Span | undefined)[]): Span | undefined {
  const [first, ...rest] = spans;
  if (!first) return undefined;
  let from = first.from;
  let to = first.to;
  for (const span of rest) {
    if (!span) return undefined;
    if (Date.parse(span.from) > Date.parse(from)) from = span.from;
    if (Date.parse(span.to) < Date.parse(to)) to = span.to;
  }
  return Date.parse(from) < Date.parse(to) ? { from, to } : undefined;
}

export type WriteOutcome = 'written' | 'unchanged';

const toRecord = (item: Item): ActivityRecord => {
  const { [KEY]: userKey, ...rest } = item;
  return { ...(rest as Omit<ActivityRecord, 'userKey'>), userKey: userKey as string };
};

const toCursor = (item: Item | undefined): SyncCursor =>
  item
    ? {
        ...(item.covered ? { covered: item.covered as Span } : {}),
        ...(item.window ? { window: item.window as SyncWindow } : {}),
        updatedAt: item.updatedAt as string,
        version: item.version as number,
      }
    : { updatedAt: new Date(0).toISOString(), version: 0 };

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
  ) {}

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

  /**
   * The account-wide coverage: the intersection of the covered spans of `regions` (default: the
   * regions the last `activity sync` was configured with, `REGIONS_KEY`). A region never synced
   * covers nothing, so neither does the account; so does a store no sync of this version wrote.
   */
  async coverage(regions?: readonly string[]): Promise<ActivityCoverage> {
    const names = regions ?? (await this.syncRegions());
    if (!names || names.length === 0) return {};
    const cursors = await Promise.all(names.map((r) => this.readCursor(cursorKey(r))));
    const span = intersectSpans(cursors.map((c) => c.covered));
    return span ? { cloudtrail: span } : {};
  }

  /** The regions the last `activity sync` was configured to read, if any ran. */
  async syncRegions(): Promise<string[] | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { [KEY]: REGIONS_KEY }, ConsistentRead: true }),
    );
    return out.Item ? (out.Item.regions as string[]) : undefined;
  }

  /** Records the regions `activity sync` reads (before it reads any), for `coverage()`. */
  async putSyncRegions(regions: readonly string[]): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { [KEY]: REGIONS_KEY, regions: [...regions], updatedAt: this.clock().toISOString() },
      }),
    );
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

  /**
   * The cursor of one region. With `adoptLegacy`, a region with no cursor of its own starts
   * from the single cursor of earlier versions (`LEGACY_CURSOR_KEY`; version 0, so the first
   * write creates the region's own item and the legacy one is left as it was).
   */
  cursorOf(region: string, options: { adoptLegacy?: boolean } = {}): RegionCursorPort {
    const key = cursorKey(region);
    return {
      getCursor: async () => {
        const own = await this.readCursor(key);
        if (own.version > 0 || !options.adoptLegacy) return own;
        const legacy = await this.readCursor(LEGACY_CURSOR_KEY);
        return { ...legacy, version: 0 };
      },
      putCursor: (previous, next) => this.writeCursor(key, previous, next),
    };
  }

  private async readCursor(key: string): Promise<SyncCursor> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { [KEY]: key }, ConsistentRead: true }),
    );
    return toCursor(out.Item);
  }

  /**
   * Stores the cursor if nobody else moved it since `previous` was read; returns the stored
   * cursor, or undefined when another sync got there first (the caller must stop).
   */
  private async writeCursor(
    key: string,
    previous: SyncCursor,
    next: { covered?: Span; window?: SyncWindow },
  ): Promise<SyncCursor | undefined> {
    const stored: SyncCursor = {
      ...(next.covered ? { covered: next.covered } : {}),
      ...(next.window ? { window: next.window } : {}),
      updatedAt: this.clock().toISOString(),
      version: previous.version + 1,
    };
    const written = await writeIf(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { [KEY]: key, ...stored },
          ...(previous.version === 0
            ? { ConditionExpression: `attribute_not_exists(${KEY})` }
            : {
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': previous.version },
              }),
        }),
      ),
    );
    return written ? stored : undefined;
  }
}
