import {
  type ActivityMark,
  type ActivitySource,
  COALESCE_MS,
  type Span,
} from './activity-record.js';

/**
 * The idle rule, pure: is one QuickSight user idle, and if not, why not and from when would it
 * be. A user is idle when
 *   1. its role is one of the idle roles (`IDSYNC_INACTIVE_ROLES`),
 *   2. the activity record covers the last N days: spans that prove absence of activity (the
 *      account-wide CloudTrail coverage of `activity sync`, the user's imported console span)
 *      join into one span that reaches back to N days before its end, and that end is recent
 *      (`maxLagMs`: IDSYNC_ACTIVITY_MAX_LAG_HOURS, the same limit for the plan and for the
 *      worker's re-judge just before the deletion),
 *   3. the record shows no activity in those N days, and
 *   4. nothing shows the user was created within them: no creation event (RegisterUser /
 *      CreateUser), and no idsync snapshot listing it for the first time after an earlier COMPLETE
 *      snapshot that did not.
 * The N days end where the record ends (`asOf`: the joined span's end, never later than now): no
 * activity is claimed absent for a time the record has not read. Activity exactly N days before
 * `asOf` is inside the window (idle means: more than N days). Times are compared as instants,
 * whatever offset their ISO text carries; dates in reasons are UTC days.
 */

export const DAY_MS = 86_400_000;

const HOUR_MS = 3_600_000;

/**
 * How far the record's end may lag behind now and still count, by default: the configured value
 * is IDSYNC_ACTIVITY_MAX_LAG_HOURS (shared/config/variables.ts, whose default this is). The
 * activity-sync schedule runs hourly and stays 15 minutes behind real time.
 */
export const DEFAULT_MAX_LAG_HOURS = 2;
export const DEFAULT_MAX_LAG_MS = DEFAULT_MAX_LAG_HOURS * HOUR_MS;

/** The variable and value a stale record's reason names, e.g. `IDSYNC_ACTIVITY_MAX_LAG_HOURS=2`. */
export function maxLagSetting(maxLagMs: number): string {
  return `IDSYNC_ACTIVITY_MAX_LAG_HOURS=${Number((maxLagMs / HOUR_MS).toFixed(4))}`;
}

/** Why a record ending at `endMs` is too old at `nowMs`, or undefined when it is recent enough. */
export function staleReason(endMs: number, nowMs: number, maxLagMs: number): string | undefined {
  if (nowMs - endMs <= maxLagMs) return undefined;
  return `the activity record ends at ${new Date(endMs).toISOString()}, older than ${maxLagSetting(maxLagMs)}: run idsync activity sync`;
}

export interface IdleInput {
  readonly role: string;
  /** Upper-case role names idle users of which are deleted. */
  readonly idleRoles: ReadonlySet<string>;
  readonly days: number;
  readonly now: Date;
  /** Spans in which every activity of the user would have been seen (they prove absence). */
  readonly coverage: readonly Span[];
  /** The newest activity the record holds, from any source. */
  readonly last?: ActivityMark;
  /** The newest creation evidence (a creation event's time). */
  readonly createdAt?: string;
  /** The start of the first snapshot that listed the user after a COMPLETE one that did not. */
  readonly firstListedAt?: string;
  /**
   * How far the record's end may lag behind `now` (IDSYNC_ACTIVITY_MAX_LAG_HOURS in ms).
   * @default DEFAULT_MAX_LAG_MS
   */
  readonly maxLagMs?: number;
}

export type NotIdleWhy = 'role' | 'uncovered' | 'active' | 'created';

export type IdleVerdict =
  | {
      readonly idle: true;
      readonly reason: string;
      /** The instant the N days end (the record's end). */
      readonly asOf: string;
      readonly last?: ActivityMark;
    }
  | {
      readonly idle: false;
      readonly why: NotIdleWhy;
      readonly reason: string;
      /** For `active` / `created`: the instant after which the user is idle if nothing happens. */
      readonly idleAfter?: string;
      readonly last?: ActivityMark;
    };

const SOURCE_WORDS: Record<ActivitySource, string> = {
  cloudtrail: 'CloudTrail',
  live: 'live events',
  import: 'an imported export',
};

/** `yyyy-mm-dd` of an instant, in UTC. */
export function utcDay(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 10);
}

/** "last active 2026-09-14, GetDashboard, from CloudTrail". */
export function describeLastActive(last: ActivityMark): string {
  return `last active ${utcDay(last.at)}, ${last.eventName}, from ${SOURCE_WORDS[last.source] ?? last.source}`;
}

/** Spans joined where they touch or overlap, oldest first; invalid spans are dropped. */
export function joinSpans(spans: readonly Span[]): { from: number; to: number }[] {
  const sorted = spans
    .map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }))
    .filter((s) => Number.isFinite(s.from) && Number.isFinite(s.to) && s.from <= s.to)
    .sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && s.from <= prev.to) prev.to = Math.max(prev.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

export interface CoveredWindow {
  readonly ok: true;
  /** The start of the joined span the window lies in (where "the record began"). */
  readonly recordFrom: number;
  readonly windowStart: number;
  readonly asOf: number;
}

export type WindowCheck = CoveredWindow | { readonly ok: false; readonly reason: string };

/** Whether the spans cover the N days that end at the newest span's end (see the file comment). */
export function coveredWindow(
  spans: readonly Span[],
  days: number,
  now: Date,
  maxLagMs: number = DEFAULT_MAX_LAG_MS,
): WindowCheck {
  const joined = joinSpans(spans);
  const newest = joined[joined.length - 1];
  if (!newest) return { ok: false, reason: 'the activity record covers no time yet' };
  const nowMs = now.getTime();
  const stale = staleReason(newest.to, nowMs, maxLagMs);
  if (stale !== undefined) return { ok: false, reason: stale };
  const asOf = Math.min(newest.to, nowMs);
  const windowStart = asOf - days * DAY_MS;
  if (newest.from > windowStart) {
    const held = Math.floor((asOf - newest.from) / DAY_MS);
    return {
      ok: false,
      reason: `the activity record covers only ${held} days (since ${new Date(newest.from).toISOString()}), not ${days}`,
    };
  }
  return { ok: true, recordFrom: newest.from, windowStart, asOf };
}

/** The verdict of the idle rule for one user. */
export function judgeIdle(input: IdleInput): IdleVerdict {
  const role = input.role.toUpperCase();
  const last = input.last ? { last: input.last } : {};
  if (!input.idleRoles.has(role)) {
    return { idle: false, why: 'role', reason: `role ${role} is not an idle role`, ...last };
  }
  const checked = coveredWindow(input.coverage, input.days, input.now, input.maxLagMs);
  // Without coverage, the N days end now: activity in them still shows the user is not idle.
  const window = checked.ok
    ? checked
    : { windowStart: input.now.getTime() - input.days * DAY_MS, asOf: input.now.getTime() };
  const after = (t: number) => new Date(t + input.days * DAY_MS).toISOString();
  const evidence = (t?: string) => (t === undefined ? Number.NaN : Date.parse(t));
  // Coalescing: the newest activity may be up to COALESCE_MS after the stored `last.at`.
  const lastMs = evidence(input.last?.at) + COALESCE_MS;
  const createdMs = evidence(input.createdAt);
  const listedMs = evidence(input.firstListedAt);
  // The user turns idle N days after the newest of its activity and creation evidence.
  const newest = Math.max(...[lastMs, createdMs, listedMs].filter(Number.isFinite));
  if (input.last && lastMs >= window.windowStart) {
    return {
      idle: false,
      why: 'active',
      reason: `active within ${input.days} days (${describeLastActive(input.last)})`,
      idleAfter: after(newest),
      ...last,
    };
  }
  if (!checked.ok) return { idle: false, why: 'uncovered', reason: checked.reason, ...last };
  if (Number.isFinite(createdMs) || Number.isFinite(listedMs)) {
    const created = Math.max(...[createdMs, listedMs].filter(Number.isFinite));
    if (created >= window.windowStart) {
      const how =
        created === createdMs && input.createdAt !== undefined
          ? `registered on ${utcDay(input.createdAt)}`
          : `first listed by the snapshot of ${utcDay(new Date(created).toISOString())}`;
      return {
        idle: false,
        why: 'created',
        reason: `new within ${input.days} days (${how})`,
        idleAfter: after(newest),
        ...last,
      };
    }
  }
  const asOf = new Date(checked.asOf).toISOString();
  return input.last
    ? { idle: true, reason: describeLastActive(input.last), asOf, last: input.last }
    : {
        idle: true,
        reason: `no activity since the record began on ${utcDay(new Date(checked.recordFrom).toISOString())}`,
        asOf,
      };
}

/** Whether a verdict turns idle before `until` if nothing happens (the `--warn-days` list). */
export function idleBefore(verdict: IdleVerdict, until: Date): boolean {
  return (
    !verdict.idle &&
    verdict.idleAfter !== undefined &&
    Date.parse(verdict.idleAfter) < until.getTime()
  );
}
