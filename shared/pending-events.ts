import type {
  ActivityDelta,
  ActivityMark,
  ActivitySource,
  CreationMark,
  Span,
} from './activity-record.js';

/**
 * CloudTrail events of an IAM Identity Center user the identity map does not know yet (pure
 * part). An on-behalf-of event names an IdC user id; when the identity map cannot turn it into a
 * QuickSight user of the newest COMPLETE snapshot, the event is neither attributed nor shown to
 * name nobody. It is kept in the activity table as a control item keyed `#pending#<idcUserId>`
 * (one per IdC user, bounded: the newest and oldest activity, the newest creation evidence and a
 * count), retried at every `activity sync`, and until then the idle rule treats the users it
 * could belong to as not covered (services/removals/idle/pending-coverage.ts).
 */

export const PENDING_KEY_PREFIX = '#pending#';

/** Evidence about one IdC user id that resolved to no QuickSight user. */
export interface PendingEvidence {
  readonly idcUserId: string;
  /** Newest and oldest activity (absent when only creation events were seen). */
  readonly newest?: ActivityMark;
  readonly oldest?: ActivityMark;
  /** Newest creation evidence (CreateUser on behalf of the user). */
  readonly created?: CreationMark;
  /** Events folded in (a page read twice after a crash counts twice: at least this many). */
  readonly events: number;
}

/** The stored item. */
export interface PendingEvents extends PendingEvidence {
  readonly updatedAt: string;
  /** Optimistic-concurrency version: every write increments it. */
  readonly version: number;
}

export function pendingKey(idcUserId: string): string {
  return `${PENDING_KEY_PREFIX}${idcUserId}`;
}

const newer = <T extends { at: string }>(a: T | undefined, b: T | undefined) =>
  !a ? b : !b ? a : Date.parse(b.at) > Date.parse(a.at) ? b : a;
const older = <T extends { at: string }>(a: T | undefined, b: T | undefined) =>
  !a ? b : !b ? a : Date.parse(b.at) < Date.parse(a.at) ? b : a;

/** Folds two pieces of evidence about the same IdC user (times combined, counts added). */
export function combinePending(a: PendingEvidence, b: PendingEvidence): PendingEvidence {
  const newest = newer(a.newest, b.newest);
  const oldest = older(a.oldest ?? a.newest, b.oldest ?? b.newest);
  const created = newer(a.created, b.created);
  return {
    idcUserId: a.idcUserId,
    ...(newest ? { newest } : {}),
    ...(oldest ? { oldest } : {}),
    ...(created ? { created } : {}),
    events: a.events + b.events,
  };
}

/** The span of every event time the evidence holds (activity and creation), or undefined. */
export function pendingSpan(p: PendingEvidence): Span | undefined {
  const times = [p.oldest?.at, p.newest?.at, p.created?.at].filter(
    (t): t is string => t !== undefined && Number.isFinite(Date.parse(t)),
  );
  if (times.length === 0) return undefined;
  const ms = times.map((t) => Date.parse(t));
  return {
    from: new Date(Math.min(...ms)).toISOString(),
    to: new Date(Math.max(...ms)).toISOString(),
  };
}

/**
 * The activity deltas of pending evidence once its IdC user resolved to `users`: the newest and
 * oldest activity, a span of `source` between them, and the creation evidence.
 */
export function pendingDeltas(
  p: PendingEvidence,
  users: readonly { namespace: string; userName: string }[],
): ActivityDelta[] {
  const oldest = p.oldest ?? p.newest;
  const source: ActivitySource = p.newest?.source ?? 'cloudtrail';
  return users.map((u) => ({
    namespace: u.namespace,
    userName: u.userName,
    ...(p.newest ? { newest: p.newest } : {}),
    ...(oldest ? { oldest } : {}),
    ...(p.newest && oldest ? { spans: { [source]: { from: oldest.at, to: p.newest.at } } } : {}),
    ...(p.created ? { created: p.created } : {}),
  }));
}
