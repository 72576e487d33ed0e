import { normalizeEmail } from './email.js';
import { activityUserKey } from './quicksight-user-rules.js';

/**
 * The activity record of a QuickSight user (table `activity`, docs/DATA-MODEL.md) and the pure
 * rule that merges new evidence into it. QuickSight has no "last active" API: idsync keeps its
 * own record from CloudTrail (`activity sync`), live EventBridge events and imported console
 * exports. Times are ISO-8601 UTC strings with milliseconds (`Date#toISOString`), so they
 * compare as strings.
 */

/** Where a piece of evidence came from. */
export type ActivitySource = 'cloudtrail' | 'live' | 'import';
export const ACTIVITY_SOURCES: readonly ActivitySource[] = ['cloudtrail', 'live', 'import'];

/** A closed time span `[from, to]`. */
export interface Span {
  readonly from: string;
  readonly to: string;
}

/** One activity: when, what (the CloudTrail event name, or `LastActive` for an import), from where. */
export interface ActivityMark {
  readonly at: string;
  readonly eventName: string;
  readonly source: ActivitySource;
}

/** Evidence that the user was created (`RegisterUser` / `CreateUser`). */
export interface CreationMark {
  readonly at: string;
  readonly eventName: string;
}

/**
 * Everything idsync knows about one QuickSight user's activity.
 *
 * - `last`: the newest activity seen (any source).
 * - `first`: the earliest activity seen (any source).
 * - `created`: the newest creation evidence (a user deleted and registered again counts from
 *   the newer registration).
 * - `spans`: per source, the span that source has observed for this user. For `cloudtrail` and
 *   `live` it runs from the earliest to the newest event attributed to the user; for `import` it
 *   runs from the imported "last active" date to the time of the import (the export says: no
 *   activity in between). The account-wide CloudTrail coverage, which also covers users with no
 *   events at all, is `ActivityCoverage.cloudtrail` (see activity-store.ts).
 */
export interface ActivityRecord {
  /** `activityKey(namespace, userName)`. */
  readonly userKey: string;
  readonly namespace: string;
  /** The user name as last seen (original case). */
  readonly userName: string;
  readonly last?: ActivityMark;
  readonly first?: ActivityMark;
  readonly created?: CreationMark;
  /**
   * The newest *authoring* activity (an asset write, shared/authoring.ts): what
   * `idsync inactive --downgrade-authors` judges an Author by. Absent on records written before
   * the field existed, and for users who never authored within the record.
   */
  readonly authored?: ActivityMark;
  readonly spans: Readonly<Partial<Record<ActivitySource, Span>>>;
  /** When the item was last written. */
  readonly updatedAt: string;
  /** Optimistic-concurrency version: every write increments it. */
  readonly version: number;
}

/** New evidence about one user (from one event, or aggregated over a page of events). */
export interface ActivityDelta {
  readonly namespace: string;
  readonly userName: string;
  /** Newest activity in this evidence. */
  readonly newest?: ActivityMark;
  /** Oldest activity in this evidence (defaults to `newest`). */
  readonly oldest?: ActivityMark;
  readonly created?: CreationMark;
  /** Newest authoring activity in this evidence (shared/authoring.ts). */
  readonly authored?: ActivityMark;
  /** Spans observed per source. */
  readonly spans?: Readonly<Partial<Record<ActivitySource, Span>>>;
}

/** Writes are coalesced: a time moves only when it moves by more than this. */
export const COALESCE_MS = 3_600_000;

/**
 * The key of a user's record: the QuickSight namespace and the user name, NFKC-normalised,
 * trimmed and lower-cased (the normalisation used wherever a person is compared,
 * shared/email.ts). Namespaces hold no `#` (QuickSight allows letters, digits, `.`, `_`, `-`),
 * so the key is unambiguous, and keys of the table's own control items start with `#`.
 */
export function activityKey(namespace: string, userName: string): string {
  return `${namespace.trim()}#${normalizeEmail(userName)}`;
}

/**
 * The name a QuickSight user's record is kept under: its user name, except for users QuickSight
 * lists as `N/A` (some IAM_IDENTITY_CENTER users), which would all share one key; those are kept
 * under `N/A#<principalId>`. Use `activityKey(namespace, activityUserName(user))` to look a
 * snapshot's user up.
 */
export function activityUserName(user: { userName: string; principalId?: string }): string {
  return activityUserKey(user);
}

/** A time as the record stores it; throws on a value that is not a date. */
export function isoTime(value: string | number | Date): string {
  const ms = value instanceof Date ? value.getTime() : new Date(value).getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(value)}`);
  return new Date(ms).toISOString();
}

const ms = (iso: string) => Date.parse(iso);
/** Whether `a` is more than `threshold` ms after `b`. */
const laterBy = (a: string, b: string, threshold: number) => ms(a) - ms(b) > threshold;

function newerMark<T extends { at: string }>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a) return b;
  if (!b) return a;
  return ms(b.at) > ms(a.at) ? b : a;
}

function olderMark<T extends { at: string }>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a) return b;
  if (!b) return a;
  return ms(b.at) < ms(a.at) ? b : a;
}

function unionSpan(a: Span | undefined, b: Span | undefined): Span | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    from: ms(b.from) < ms(a.from) ? b.from : a.from,
    to: ms(b.to) > ms(a.to) ? b.to : a.to,
  };
}

/** Whether `next` reaches more than `threshold` ms beyond `current` at either end. */
function spanGrew(current: Span | undefined, next: Span | undefined, threshold: number): boolean {
  if (!next) return false;
  if (!current) return true;
  return laterBy(current.from, next.from, threshold) || laterBy(next.to, current.to, threshold);
}

export interface MergeOptions {
  /**
   * Write when a time moves at all, not only by more than `COALESCE_MS`: the flush at the end of
   * `activity sync` (services/activity/run-activity-sync.ts) uses it so the record ends with the
   * exact newest and oldest times the run saw.
   */
  readonly exact?: boolean;
  /**
   * Write when the newest time moves later at all (the earliest time and spans stay coalesced):
   * `activity sync` writes its pages with it. A sync reads newest first, so this costs about one
   * write per user and window, and a crash between pages never loses the newest time seen.
   */
  readonly exactNewest?: boolean;
}

/**
 * Merges `delta` into `current` (absent: a new record). Returns the record to write, or
 * undefined when the evidence is not worth a write: a write happens only when the newest
 * activity moves later, the earliest activity moves earlier, or a span grows by more than
 * `COALESCE_MS` (an hour; with `exact`, by any amount), or when the creation evidence is new or
 * newer, or the record is new. When it writes, every field takes the exact combined value.
 * Merging is idempotent and order-independent up to coalescing.
 */
export function mergeActivity(
  current: ActivityRecord | undefined,
  delta: ActivityDelta,
  now: string,
  options: MergeOptions = {},
): ActivityRecord | undefined {
  const threshold = options.exact ? 0 : COALESCE_MS;
  const later = (a: string, b: string) => laterBy(a, b, threshold);
  const newest = delta.newest;
  const oldest = delta.oldest ?? delta.newest;
  const spans: Partial<Record<ActivitySource, Span>> = { ...(current?.spans ?? {}) };
  let spansGrew = false;
  for (const source of ACTIVITY_SOURCES) {
    const next = delta.spans?.[source];
    if (!next) continue;
    if (spanGrew(current?.spans[source], next, threshold)) spansGrew = true;
    const merged = unionSpan(current?.spans[source], next);
    if (merged) spans[source] = merged;
  }
  const last = newerMark(current?.last, newest);
  const first = olderMark(current?.first, oldest);
  const created = newerMark(current?.created, delta.created);
  const authored = newerMark(current?.authored, delta.authored);
  const material =
    !current ||
    (delta.authored !== undefined &&
      (!current.authored ||
        laterBy(delta.authored.at, current.authored.at, options.exactNewest ? 0 : threshold))) ||
    spansGrew ||
    (newest !== undefined &&
      (!current.last ||
        laterBy(newest.at, current.last.at, options.exactNewest ? 0 : threshold))) ||
    (oldest !== undefined && (!current.first || later(current.first.at, oldest.at))) ||
    (delta.created !== undefined &&
      (!current.created || ms(delta.created.at) > ms(current.created.at)));
  if (!material) return undefined;
  return {
    userKey: activityKey(delta.namespace, delta.userName),
    namespace: delta.namespace,
    userName: delta.userName,
    ...(last ? { last } : {}),
    ...(first ? { first } : {}),
    ...(created ? { created } : {}),
    ...(authored ? { authored } : {}),
    spans,
    updatedAt: now,
    version: (current?.version ?? 0) + 1,
  };
}

/**
 * Folds many deltas of the same user into one (for a page of events): newest/oldest/created
 * combined, spans unioned.
 */
export function combineDeltas(a: ActivityDelta, b: ActivityDelta): ActivityDelta {
  const spans: Partial<Record<ActivitySource, Span>> = { ...(a.spans ?? {}) };
  for (const source of ACTIVITY_SOURCES) {
    const merged = unionSpan(spans[source], b.spans?.[source]);
    if (merged) spans[source] = merged;
  }
  const newest = newerMark(a.newest, b.newest);
  const oldest = olderMark(a.oldest ?? a.newest, b.oldest ?? b.newest);
  const created = newerMark(a.created, b.created);
  const authored = newerMark(a.authored, b.authored);
  return {
    namespace: a.namespace,
    userName: newerMark(a.newest, b.newest) === b.newest && b.newest ? b.userName : a.userName,
    ...(newest ? { newest } : {}),
    ...(oldest ? { oldest } : {}),
    ...(created ? { created } : {}),
    ...(authored ? { authored } : {}),
    ...(Object.keys(spans).length > 0 ? { spans } : {}),
  };
}
