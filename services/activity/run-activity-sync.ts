import {
  type ActivityDelta,
  activityKey,
  combineDeltas,
  isoTime,
  type Span,
} from '../../shared/activity-record.js';
import type {
  DynamoActivityStore,
  RegionCursorPort,
  SyncCursor,
  SyncWindow,
} from '../../shared/dynamo/activity-store.js';
import { ClockSkewError, IdsyncError } from '../../shared/errors.js';
import { type AttributionContext, attributeEvent } from './attribution.js';
import {
  NextTokenRefusedError,
  type QuickSightEventLookup,
  serviceTimeOfFailure,
} from './cloudtrail-lookup.js';
import { deltasOf, type UserDirectory } from './resolve-users.js';
import {
  capSpan,
  clockSkewProblem,
  coverageCap,
  coveredAfter,
  DEFAULT_LAG_MS,
  nextWindow,
  repairCursor,
} from './sync-windows.js';

/**
 * `activity sync`: reads CloudTrail's QuickSight events window by window (sync-windows.ts),
 * newest first, a page at a time, and merges them into the activity record. After each page
 * the records are written first and the cursor second (NextToken, the oldest event time and
 * ids seen, counts), so a crash, Ctrl-C or Lambda timeout resumes at the next page: at most the
 * one page in flight is read again, and merging it again changes nothing. A window is added
 * to the coverage only when its last page is read. The cursor is written with a version
 * condition: a second sync running at the same time stops instead of interleaving.
 *
 * On-behalf-of events whose IdC user resolves to no QuickSight user are kept pending with the
 * page's records (shared/pending-events.ts), never dropped. Pages are written with
 * `exactNewest`: a newest time that moved at all is written with the page (before the cursor),
 * so no crash loses it. Other evidence the store coalesced away (an earliest time or span that
 * moved by less than an hour) is remembered per user and flushed exactly (`exact`) before a
 * window's coverage is saved and when the run ends, so `last` and `first` are the newest and
 * oldest events the run saw.
 *
 * CloudTrail's clock, not this machine's, says how far the record may reach: the run first asks
 * the lookup for the service's time (`serviceTime()`), refuses a local clock more than 5 minutes
 * off it (ClockSkewError, before anything is saved), drops a coverage an earlier fast clock left
 * in the future, so the history is read again (sync-windows.ts `repairCursor`), plans its windows from the service's time,
 * checks every page's `Date` again and never saves coverage past `serviceTime − lag`. One run
 * reads one region (one cursor, one lookup); sync-regions.ts runs the regions side by side.
 */

export type ActivityStorePort = RegionCursorPort &
  Pick<DynamoActivityStore, 'recordMany' | 'addPending'>;

export interface ActivitySyncPorts {
  readonly lookup: QuickSightEventLookup;
  readonly store: ActivityStorePort;
  readonly directory: UserDirectory;
  readonly attribution: Omit<AttributionContext, 'isKnownUserName'>;
  readonly clock?: () => Date;
  /** Checked between pages: true stops the run with the cursor saved (Ctrl-C, Lambda deadline). */
  readonly shouldStop?: () => boolean;
  /** Progress after each page (the region is added by sync-regions.ts). */
  readonly onPage?: (progress: { window: SyncWindow; events: number; region?: string }) => void;
}

export interface ActivitySyncOptions {
  /** History wanted, in days (1–90). */
  readonly days: number;
  /** Distance kept behind real time (CloudTrail delivery delay). Default 15 minutes. */
  readonly lagMs?: number;
}

export interface WindowSummary {
  readonly kind: SyncWindow['kind'];
  readonly from: string;
  readonly to: string;
  /** Whether the window was read to its end in this run (added to the coverage). */
  readonly finished: boolean;
  /** Pages and events of the window so far (earlier, interrupted runs included). */
  readonly pages: number;
  readonly events: number;
}

export interface ActivitySyncSummary {
  /** Nothing left to read: the coverage reaches `now − lag` and the history asked for. */
  readonly caughtUp: boolean;
  /** Stopped between pages on request; the cursor is saved. */
  readonly stopped: boolean;
  /** This run continued a window an earlier run had started. */
  readonly resumed: boolean;
  readonly windows: WindowSummary[];
  /** Pages read in this run, and the events in them. */
  readonly pages: number;
  readonly events: number;
  /** Events attributed to a user; on-behalf-of events whose IdC user matched no QuickSight user. */
  readonly attributed: number;
  readonly unresolved: number;
  /** Of those, the events kept pending (an IdC user the identity map does not know yet). */
  readonly pending: number;
  /** Ignored events by reason. */
  readonly ignored: Readonly<Record<string, number>>;
  /** Activity records written and evidence that changed nothing (coalesced). */
  readonly written: number;
  readonly unchanged: number;
  /** Records written by the exact flush of coalesced evidence (counted in `written` too). */
  readonly flushed: number;
  /** NextTokens CloudTrail refused (the window continued from its oldest event instead). */
  readonly tokensRefused: number;
  readonly covered?: Span;
  /** CloudTrail's time at the start of the run (its `Date` header), when the lookup tells it. */
  readonly serviceTime?: string;
  /** Local minus CloudTrail's time at the start, in ms (within ±5 minutes, or the run refused). */
  readonly clockSkewMs?: number;
  /** The stored cursor claimed time past `serviceTime − lag`: that coverage or window was dropped. */
  readonly repaired: boolean;
}

export class CursorMovedError extends IdsyncError {
  override readonly name = 'CursorMovedError';
  constructor() {
    super('another activity sync moved the cursor meanwhile; this run stopped (run it again)', {
      retryable: true,
    });
  }
}

export async function runActivitySync(
  ports: ActivitySyncPorts,
  options: ActivitySyncOptions,
): Promise<ActivitySyncSummary> {
  const clock = ports.clock ?? (() => new Date());
  const { store, lookup, directory } = ports;
  const ctx: AttributionContext = {
    ...ports.attribution,
    isKnownUserName: directory.isKnownUserName,
  };
  const lagMs = options.lagMs ?? DEFAULT_LAG_MS;
  // CloudTrail's time, checked against the local clock at every answer (nothing saved before).
  let serviceMs: number | undefined;
  let clockSkewMs: number | undefined;
  const checkClock = (serviceTime: Date | undefined) => {
    if (!serviceTime) return;
    const skew = clockSkewProblem(clock().getTime(), serviceTime.getTime());
    if (skew.problem) throw new ClockSkewError(skew.problem);
    clockSkewMs ??= skew.skewMs;
    serviceMs = serviceTime.getTime();
  };
  // A refused call tells the service's time too (a request signed too far off is refused).
  const failure = (error: unknown): unknown => {
    checkClock(serviceTimeOfFailure(error));
    return error;
  };
  if (lookup.serviceTime)
    checkClock(
      await lookup.serviceTime().catch((error: unknown) => {
        throw failure(error);
      }),
    );
  const startServiceMs = serviceMs;
  const nowMs = startServiceMs ?? clock().getTime();
  let cursor: SyncCursor = await store.getCursor();
  const save = async (next: { covered?: Span; window?: SyncWindow }) => {
    const stored = await store.putCursor(cursor, next);
    if (!stored) throw new CursorMovedError();
    cursor = stored;
  };
  let repaired = false;
  if (startServiceMs !== undefined) {
    const { changed, ...fixed } = repairCursor(
      cursor.covered,
      cursor.window,
      coverageCap(startServiceMs, lagMs),
    );
    if (changed) {
      await save(fixed);
      repaired = true;
    }
  }
  const resumed = cursor.window !== undefined;
  const windows: WindowSummary[] = [];
  const ignored: Record<string, number> = {};
  let pages = 0;
  let events = 0;
  let attributed = 0;
  let unresolved = 0;
  let written = 0;
  let unchanged = 0;
  let tokensRefused = 0;
  let pending = 0;
  let flushed = 0;
  let stopped = false;
  let caughtUp = false;
  // Per user, the evidence of this run the store coalesced away (not written yet).
  const coalesced = new Map<string, ActivityDelta>();
  const flush = async () => {
    if (coalesced.size === 0) return;
    const deltas = [...coalesced.values()];
    coalesced.clear();
    const outcomes = await store.recordMany(deltas, { exact: true });
    const n = outcomes.filter((o) => o === 'written').length;
    flushed += n;
    written += n;
  };

  for (;;) {
    let window = cursor.window;
    if (!window) {
      const plan = nextWindow(cursor.covered, nowMs, options.days, lagMs);
      if (!plan.window) {
        if (plan.covered !== cursor.covered)
          await save(plan.covered ? { covered: plan.covered } : {});
        caughtUp = true;
        break;
      }
      await save(plan);
      window = plan.window;
    }
    if (ports.shouldStop?.()) {
      stopped = true;
      windows.push(summaryOf(window, false));
      break;
    }
    const queryTo = Date.parse(window.queryTo ?? window.to);
    let page: Awaited<ReturnType<QuickSightEventLookup['lookup']>>;
    try {
      page = await lookup.lookup({
        from: new Date(window.from),
        to: new Date(queryTo - 1000),
        ...(window.nextToken ? { nextToken: window.nextToken } : {}),
      });
    } catch (error) {
      if (!(error instanceof NextTokenRefusedError) || !window.oldestAt) {
        await flush().catch(() => undefined); // keep what was seen; the failure is the error
        throw failure(error);
      }
      // Continue below the oldest event read, skipping the ids already read at that second.
      tokensRefused++;
      const { nextToken: _dropped, ...rest } = window;
      await save({
        ...(cursor.covered ? { covered: cursor.covered } : {}),
        window: { ...rest, queryTo: isoTime(Date.parse(window.oldestAt) + 1000) },
      });
      continue;
    }
    checkClock(page.serviceTime);
    pages++;
    const skip = !window.nextToken && window.oldestIds ? new Set(window.oldestIds) : undefined;
    const records = skip ? page.records.filter((r) => !skip.has(String(r.eventID))) : page.records;
    events += records.length;
    const attributions = records.map((r) => attributeEvent(r, ctx));
    for (const a of attributions)
      if (a.kind === 'ignored') ignored[a.reason] = (ignored[a.reason] ?? 0) + 1;
    const found = await deltasOf(attributions, 'cloudtrail', directory);
    attributed += found.attributed;
    unresolved += found.unresolved;
    if (found.pending.length > 0) {
      await store.addPending(found.pending);
      for (const p of found.pending) pending += p.events;
    }
    const outcomes = await store.recordMany(found.deltas, { exactNewest: true });
    outcomes.forEach((outcome, i) => {
      if (outcome === 'written') {
        written++;
        return;
      }
      unchanged++;
      const delta = found.deltas[i] as ActivityDelta;
      const key = activityKey(delta.namespace, delta.userName);
      const known = coalesced.get(key);
      coalesced.set(key, known ? combineDeltas(known, delta) : delta);
    });
    const advanced = advance(window, page.records, records.length, page.nextToken);
    if (page.nextToken) {
      await save({ ...(cursor.covered ? { covered: cursor.covered } : {}), window: advanced });
    } else {
      await flush();
      const covered = coveredAfter(cursor.covered, window);
      const capped =
        serviceMs === undefined ? covered : capSpan(covered, coverageCap(serviceMs, lagMs));
      await save(capped ? { covered: capped } : {});
      windows.push(summaryOf(advanced, true));
    }
    ports.onPage?.({ window: advanced, events: records.length });
  }
  await flush();

  return {
    caughtUp,
    stopped,
    resumed,
    windows,
    pages,
    events,
    attributed,
    unresolved,
    pending,
    ignored,
    written,
    unchanged,
    flushed,
    tokensRefused,
    ...(cursor.covered ? { covered: cursor.covered } : {}),
    ...(startServiceMs !== undefined
      ? { serviceTime: new Date(startServiceMs).toISOString() }
      : {}),
    ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
    repaired,
  };
}

/** The window after a page: its NextToken, the oldest event time and the ids at that time. */
function advance(
  window: SyncWindow,
  records: readonly Record<string, unknown>[],
  counted: number,
  nextToken: string | undefined,
): SyncWindow {
  let oldestAt = window.oldestAt;
  let oldestIds = [...(window.oldestIds ?? [])];
  for (const r of records) {
    const ms = Date.parse(String(r.eventTime));
    if (!Number.isFinite(ms)) continue;
    const at = isoTime(ms);
    const id = String(r.eventID);
    if (oldestAt === undefined || at < oldestAt) {
      oldestAt = at;
      oldestIds = [id];
    } else if (at === oldestAt && !oldestIds.includes(id)) oldestIds.push(id);
  }
  const { nextToken: _previous, ...rest } = window;
  return {
    ...rest,
    ...(nextToken ? { nextToken } : {}),
    ...(oldestAt ? { oldestAt, oldestIds } : {}),
    pages: window.pages + 1,
    events: window.events + counted,
  };
}

function summaryOf(window: SyncWindow, finished: boolean): WindowSummary {
  return {
    kind: window.kind,
    from: window.from,
    to: window.to,
    finished,
    pages: window.pages,
    events: window.events,
  };
}
