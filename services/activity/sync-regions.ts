import type { Span } from '../../shared/activity-record.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { syncLane } from '../../shared/dynamo/sync-cursors.js';
import { ClockSkewError, describeError, ExitCode, IdsyncError } from '../../shared/errors.js';
import type { QuickSightEventLookup } from './cloudtrail-lookup.js';
import {
  type ActivitySyncOptions,
  type ActivitySyncPorts,
  type ActivitySyncSummary,
  runActivitySync,
  type WindowSummary,
} from './run-activity-sync.js';

/**
 * `activity sync` over every region it reads (IDSYNC_ACTIVITY_REGIONS) of every QuickSight
 * account (IDSYNC_QUICKSIGHT_ACCOUNTS): CloudTrail's event history is per account and region, so
 * each is read by its own `runActivitySync`, with its own lookup (client and 2-calls-a-second
 * pacer) and its own cursor (`#cursor#cloudtrail#<lane>`, the lane being the region in the home
 * account and `<account>/<region>` in another, shared/dynamo/sync-cursors.ts `syncLane`), all at
 * the same time; its events are attributed within its account. The regions are recorded first (`putSyncRegions`), so the account-wide
 * coverage (`DynamoActivityStore.coverage`) is the intersection of exactly these regions' spans:
 * a region never synced, or failing, leaves the account uncovered beyond what it read.
 *
 * A region that fails does not stop the others: its error is in the result (`failed`) and the
 * caller exits 4; its cursor keeps what it read, so the next run resumes. A clock too far off
 * CloudTrail's (ClockSkewError) or a setup problem (exit 2) is thrown once every region stopped,
 * as is an error that is not idsync's own (a bug, exit 1).
 */

export interface RegionLookup {
  readonly region: string;
  /** The QuickSight account whose history `lookup` reads; absent: the home account. */
  readonly accountId?: string;
  readonly lookup: QuickSightEventLookup;
}

export type RegionSyncStore = Pick<
  DynamoActivityStore,
  'cursorOf' | 'recordMany' | 'addPending' | 'putSyncRegions' | 'coverage'
>;

export interface RegionsSyncPorts extends Omit<ActivitySyncPorts, 'lookup' | 'store'> {
  readonly regions: readonly RegionLookup[];
  readonly store: RegionSyncStore;
  /**
   * The region the single cursor of earlier versions read (AWS_REGION): its cursor starts from
   * that one when it has none of its own.
   */
  readonly legacyRegion?: string;
}

export interface RegionOutcome {
  readonly region: string;
  /** The region's summary; absent when it failed. */
  readonly summary?: ActivitySyncSummary;
  /** One line: why the region failed. */
  readonly error?: string;
}

export interface RegionsSyncSummary
  extends Omit<ActivitySyncSummary, 'covered' | 'windows' | 'serviceTime' | 'clockSkewMs'> {
  /** Every region's windows, each named by its region. */
  readonly windows: (WindowSummary & { readonly region: string })[];
  /** The account-wide coverage: every region's covered span intersected. */
  readonly covered?: Span;
  readonly regions: RegionOutcome[];
  /** The regions that failed (their error is in `regions`). */
  readonly failed: string[];
}

type Counters = Pick<
  ActivitySyncSummary,
  | 'pages'
  | 'events'
  | 'attributed'
  | 'unresolved'
  | 'written'
  | 'unchanged'
  | 'tokensRefused'
  | 'pending'
  | 'flushed'
  | 'ignored'
>;

/** Every numeric counter of the regions' summaries, summed (ignored events by reason too). */
function sumCounters(summaries: readonly ActivitySyncSummary[]): Counters {
  const sum: Record<string, number> = {
    pages: 0,
    events: 0,
    attributed: 0,
    unresolved: 0,
    written: 0,
    unchanged: 0,
    tokensRefused: 0,
    pending: 0,
    flushed: 0,
  };
  const ignored: Record<string, number> = {};
  for (const s of summaries) {
    for (const [key, value] of Object.entries(s))
      if (typeof value === 'number' && key !== 'clockSkewMs') sum[key] = (sum[key] ?? 0) + value;
    for (const [reason, n] of Object.entries(s.ignored))
      ignored[reason] = (ignored[reason] ?? 0) + n;
  }
  return { ...(sum as Omit<Counters, 'ignored'>), ignored };
}

export async function runActivitySyncRegions(
  ports: RegionsSyncPorts,
  options: ActivitySyncOptions,
): Promise<RegionsSyncSummary> {
  const { regions, store, legacyRegion, ...shared } = ports;
  const names = regions.map((r) => syncLane(r.region, r.accountId));
  if (new Set(names).size !== names.length) throw new Error('activity sync: a region twice');
  await store.putSyncRegions(names);
  const settled = await Promise.allSettled(
    regions.map(({ region: where, accountId, lookup }, i) => {
      const region = names[i] as string;
      const cursor = store.cursorOf(region, {
        adoptLegacy: accountId === undefined && where === legacyRegion,
      });
      const { onPage } = shared;
      return runActivitySync(
        {
          ...shared,
          ...(accountId ? { attribution: { ...shared.attribution, accountId } } : {}),
          ...(onPage ? { onPage: (page) => onPage({ ...page, region }) } : {}),
          lookup,
          store: {
            getCursor: cursor.getCursor,
            putCursor: cursor.putCursor,
            recordMany: (deltas, merge) => store.recordMany(deltas, merge),
            addPending: (evidence) => store.addPending(evidence),
          },
        },
        options,
      );
    }),
  );
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  const fatal =
    errors.find((e) => e instanceof ClockSkewError) ??
    errors.find((e) => !(e instanceof IdsyncError) || e.exitCode === ExitCode.Usage);
  if (fatal !== undefined) throw fatal;

  const outcomes: RegionOutcome[] = settled.map((s, i) => {
    const region = names[i] as string;
    return s.status === 'fulfilled'
      ? { region, summary: s.value }
      : { region, error: describeError(s.reason) };
  });
  const done = outcomes.flatMap((o) => (o.summary ? [o.summary] : []));
  const failed = outcomes.filter((o) => o.error !== undefined).map((o) => o.region);
  const coverage = await store.coverage(names);
  return {
    ...sumCounters(done),
    caughtUp: failed.length === 0 && done.every((s) => s.caughtUp),
    stopped: done.some((s) => s.stopped),
    resumed: done.some((s) => s.resumed),
    repaired: done.some((s) => s.repaired),
    windows: outcomes.flatMap((o) =>
      (o.summary?.windows ?? []).map((w) => ({ region: o.region, ...w })),
    ),
    ...(coverage.cloudtrail ? { covered: coverage.cloudtrail } : {}),
    regions: outcomes,
    failed,
  };
}
