import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Span } from '../activity-record.js';
import { tableSpec } from '../tables.js';
import { type Item, writeIf } from './batch.js';

/**
 * The control items of `activity sync` in the activity table (docs/DATA-MODEL.md): a CloudTrail
 * sync cursor per region (`#cursor#cloudtrail#<region>`, `cursorKey`), the regions the last sync
 * was configured to read (`#regions#cloudtrail`), and the account-wide coverage made of them
 * (the intersection of the regions' covered spans). The single cursor of earlier versions
 * (`#cursor#cloudtrail`, `LEGACY_CURSOR_KEY`) read `AWS_REGION` only; that region's cursor starts
 * from it (`cursorOf(region, { adoptLegacy })`), so no backfill is lost, and it is never written
 * again. Used through shared/dynamo/activity-store.ts, which owns the table.
 */

const KEY = tableSpec('activity').partitionKey.name;
/** The single cursor of earlier versions (the region they read: `AWS_REGION`). */
export const LEGACY_CURSOR_KEY = '#cursor#cloudtrail';
/** The regions `activity sync` reads, as the last run was configured. */
export const REGIONS_KEY = '#regions#cloudtrail';
/** The CloudTrail sync cursor of one region. */
export const cursorKey = (region: string): string => `${LEGACY_CURSOR_KEY}#${region}`;

/**
 * The name a CloudTrail history is synced under: event history is per account and region. The
 * home QuickSight account's histories keep the region alone (the names earlier versions wrote);
 * another account's are `<account>/<region>`. A region name holds no `/`.
 */
export function syncLane(region: string, accountId?: string): string {
  return accountId === undefined ? region : `${accountId}/${region}`;
}

/** The account of a lane (`syncLane`), undefined for the home account's. */
export function laneAccount(lane: string): string | undefined {
  const slash = lane.indexOf('/');
  return slash < 0 ? undefined : lane.slice(0, slash);
}

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

const toCursor = (item: Item | undefined): SyncCursor =>
  item
    ? {
        ...(item.covered ? { covered: item.covered as Span } : {}),
        ...(item.window ? { window: item.window as SyncWindow } : {}),
        updatedAt: item.updatedAt as string,
        version: item.version as number,
      }
    : { updatedAt: new Date(0).toISOString(), version: 0 };

export class SyncCursors {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: () => Date,
  ) {}

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

  /**
   * One account's coverage: the intersection of its lanes' covered spans among those the last
   * `activity sync` read (`accountId` undefined: the home account's). An account that sync did
   * not read covers nothing.
   */
  async coverageOfAccount(accountId: string | undefined): Promise<ActivityCoverage> {
    const lanes = ((await this.syncRegions()) ?? []).filter((l) => laneAccount(l) === accountId);
    return lanes.length === 0 ? {} : this.coverage(lanes);
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
