import type { Span } from '../../shared/activity-record.js';
import { CLOUDTRAIL_HISTORY_DAYS } from '../../shared/cloudtrail-history.js';
import type { SyncWindow } from '../../shared/dynamo/activity-store.js';

/**
 * Which CloudTrail window `activity sync` reads next (pure). The record's CloudTrail coverage
 * is one contiguous span `[covered.from, covered.to)`; a window extends it at one end and is
 * added to it only once every page of the window was read:
 *
 * 1. no coverage yet: `[now − days, now − lag)` (the first run, a backfill);
 * 2. coverage ends before `now − lag`: the catch-up `[covered.to, now − lag)`;
 * 3. `--days` asks for more history than covered: the backfill `[now − days, covered.from)`.
 *
 * Windows start and end on whole seconds (CloudTrail's event times have whole seconds), and a
 * window `[from, to)` is queried as StartTime = from, EndTime = to − 1 s (LookupEvents' bounds
 * are inclusive), so consecutive windows never share an event. `lag` leaves CloudTrail time to
 * deliver the newest events (typically 5, at most 15 minutes). History older than LookupEvents
 * keeps (90 days, less a minute so the edge never moves under a query) is never asked for, and
 * coverage ending before it is dropped: the gap could not be read any more, so nothing may be
 * claimed across it.
 */

export const DAY_MS = 86_400_000;
export const LOOKUP_HISTORY_DAYS = CLOUDTRAIL_HISTORY_DAYS;
/** Default delay behind real time: CloudTrail delivers an event to LookupEvents within 15 min. */
export const DEFAULT_LAG_MS = 15 * 60_000;
const EDGE_MARGIN_MS = 60_000;

const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface WindowPlan {
  /** The coverage to keep (undefined when it was dropped or there is none). */
  readonly covered?: Span;
  readonly window?: SyncWindow;
}

export function oldestReadable(nowMs: number): number {
  return wholeSecond(nowMs - LOOKUP_HISTORY_DAYS * DAY_MS) + EDGE_MARGIN_MS;
}

export function nextWindow(
  covered: Span | undefined,
  nowMs: number,
  days: number,
  lagMs = DEFAULT_LAG_MS,
): WindowPlan {
  const end = wholeSecond(nowMs - lagMs);
  const floor = oldestReadable(nowMs);
  const start = Math.max(wholeSecond(nowMs - days * DAY_MS), floor);
  const kept = covered && Date.parse(covered.to) >= floor ? covered : undefined;
  const window = (from: number, to: number, kind: SyncWindow['kind']): WindowPlan => ({
    ...(kept ? { covered: kept } : {}),
    window: { from: iso(from), to: iso(to), kind, pages: 0, events: 0 },
  });
  if (!kept) return end > start ? window(start, end, 'backfill') : {};
  const to = Date.parse(kept.to);
  if (to < end) return window(to, end, 'catch-up');
  const from = Date.parse(kept.from);
  if (start < from) return window(start, from, 'backfill');
  return { covered: kept };
}

/** The coverage once `window` was read in full. */
export function coveredAfter(covered: Span | undefined, window: SyncWindow): Span {
  if (!covered) return { from: window.from, to: window.to };
  return {
    from: Date.parse(window.from) < Date.parse(covered.from) ? window.from : covered.from,
    to: Date.parse(window.to) > Date.parse(covered.to) ? window.to : covered.to,
  };
}

/**
 * The service's clock (CloudTrail's `Date` response header) bounds every claim: an event can be
 * in LookupEvents only once it happened by CloudTrail's time and was delivered, so a window or a
 * coverage may end at most at `serviceTime − lag` (`coverageCap`), whatever this machine's clock
 * says. A local clock more than `MAX_CLOCK_SKEW_MS` off the service's, either way, is refused
 * (`clockSkewProblem`); exactly `MAX_CLOCK_SKEW_MS` is still allowed (the `Date` header has whole
 * seconds and the answer takes its time to arrive, so a clock that is right reads up to a
 * few seconds off; five minutes is the tolerance SigV4 itself allows a request's clock).
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The latest end of a window or coverage, given the service's time. */
export function coverageCap(serviceMs: number, lagMs = DEFAULT_LAG_MS): number {
  return wholeSecond(serviceMs - lagMs);
}

/** `span` cut back to end at `capMs` at the latest; undefined when nothing of it is left. */
export function capSpan(span: Span | undefined, capMs: number): Span | undefined {
  if (!span || Date.parse(span.to) <= capMs) return span;
  return Date.parse(span.from) < capMs ? { from: span.from, to: iso(capMs) } : undefined;
}

export interface ClockSkew {
  /** Local minus service time, in ms (positive: this machine is ahead). */
  readonly skewMs: number;
  /** The operator-facing refusal when the skew is over `MAX_CLOCK_SKEW_MS`. */
  readonly problem?: string;
}

/** Compares this machine's clock with the service's; `problem` is set beyond the tolerance. */
export function clockSkewProblem(
  localMs: number,
  serviceMs: number,
  service = 'CloudTrail',
): ClockSkew {
  const skewMs = localMs - serviceMs;
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) return { skewMs };
  return {
    skewMs,
    problem: `this machine's clock is ${describeDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'ahead of' : 'behind'} ${service}'s (service time ${iso(serviceMs)}, local ${iso(localMs)}); fix the clock (NTP) and run again; nothing was marked covered`,
  };
}

function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    const n = ms / size;
    if (n >= 1) {
      const shown = Math.round(n * 10) / 10;
      return `${shown} ${name}${shown === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

export interface RepairedCursor {
  readonly covered?: Span;
  readonly window?: SyncWindow;
  /** Whether anything was cut back (the cursor must be saved before reading on). */
  readonly changed: boolean;
}

/**
 * A cursor left by an earlier run whose clock was fast (or by an older version that trusted it)
 * may claim time CloudTrail had not reached. Such a coverage (ending past `capMs`) is dropped
 * whole, not cut back to `capMs`: the fast run read CloudTrail up to its real time, which is
 * unknown (its `updatedAt` came from the same clock), so the span it claimed between that time
 * and `capMs` was never read either and cannot be told apart from the rest. The next sync reads
 * the history again (merging evidence again changes nothing). A window in progress that ends
 * past `capMs` is dropped too (its NextToken belongs to its end).
 */
export function repairCursor(
  covered: Span | undefined,
  window: SyncWindow | undefined,
  capMs: number,
): RepairedCursor {
  const keepCovered = covered && Date.parse(covered.to) <= capMs ? covered : undefined;
  const keepWindow = window && Date.parse(window.to) <= capMs ? window : undefined;
  return {
    ...(keepCovered ? { covered: keepCovered } : {}),
    ...(keepWindow ? { window: keepWindow } : {}),
    changed: keepCovered !== covered || keepWindow !== window,
  };
}
