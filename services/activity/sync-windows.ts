import type { Span } from '../../shared/activity-record.js';
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
export const LOOKUP_HISTORY_DAYS = 90;
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
