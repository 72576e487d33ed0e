import type { Span } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import { DAY_MS, type IdleVerdict } from '../../../shared/idle-rule.js';
import { type PendingEvidence, pendingSpan } from '../../../shared/pending-events.js';
import { emailKeysOf } from '../../../shared/quicksight-user-rules.js';
import { IDC_USER_ID_PATTERN } from '../../../shared/value-limits.js';

/**
 * Coverage proves absence only when every event in it was attributed or shown to name nobody.
 * On-behalf-of events of an IdC user the identity map does not know yet are neither
 * (shared/pending-events.ts): they could be any user's. The rule, stated once:
 *
 *   A user's N-day window is not covered while a pending item has an event inside it, unless the
 *   user is positively someone else: its principal id ends with `/<id>` of another IdC user the
 *   identity map knows, or its email maps through the identity map to IdC user ids none of which
 *   is the pending one.
 *
 * "An event inside the window": the item keeps only its oldest and newest times, so any overlap
 * of `[oldest, newest]` with the window counts (it can only make a user look covered less often).
 * The idle judgement (services/removals/idle/idle-judgement.ts) applies it for the plan (`idsync inactive`) and
 * for the worker's re-judge before each idle deletion alike.
 */

/** What the identity map says about one QuickSight user (the shell looks it up). */
export interface UserIdentityFacts {
  /** The IdC user id its principal id ends with, when the identity map knows that id. */
  readonly knownPrincipalIdcUserId?: string;
  /** IdC user ids the identity map holds for the user's email (empty: unknown). */
  readonly emailIdcUserIds: readonly string[];
}

/** The IdC-user-id-shaped last segment of a principal id (`…/<id>`), or undefined. */
export function principalIdcUserId(principalId: string | undefined): string | undefined {
  const slash = principalId?.lastIndexOf('/') ?? -1;
  if (!principalId || slash < 0) return undefined;
  const id = principalId.slice(slash + 1);
  return IDC_USER_ID_PATTERN.test(id) ? id : undefined;
}

/** Whether the user is positively not the IdC user `idcUserId` (see the file comment). */
export function isPositivelySomeoneElse(facts: UserIdentityFacts, idcUserId: string): boolean {
  if (facts.knownPrincipalIdcUserId !== undefined && facts.knownPrincipalIdcUserId !== idcUserId)
    return true;
  return facts.emailIdcUserIds.length > 0 && !facts.emailIdcUserIds.includes(idcUserId);
}

/**
 * Pending events that keep a user's window `[from, to]` from being covered: the events of every
 * pending item with an event inside the window whose IdC user the user could be. 0: none.
 */
export function pendingEventsAgainst(
  window: Span,
  pending: readonly PendingEvidence[],
  facts: UserIdentityFacts,
): number {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  let events = 0;
  for (const item of pending) {
    const span = pendingSpan(item);
    if (!span || Date.parse(span.to) < from || Date.parse(span.from) > to) continue;
    if (isPositivelySomeoneElse(facts, item.idcUserId)) continue;
    events += Math.max(1, item.events);
  }
  return events;
}

/** The reason an otherwise idle user is not covered. */
export function pendingReason(events: number): string {
  return `${events} CloudTrail event${events === 1 ? '' : 's'} of an IdC user the identity map does not know yet ${events === 1 ? 'is' : 'are'} not attributed`;
}

/** An idle verdict turned into "uncovered" when pending events could be the user's. */
export function withPendingEvents(verdict: IdleVerdict, events: number): IdleVerdict {
  if (!verdict.idle || events <= 0) return verdict;
  return {
    idle: false,
    why: 'uncovered',
    reason: pendingReason(events),
    ...(verdict.last ? { last: verdict.last } : {}),
  };
}

/** The N days an idle verdict judged: `[asOf − N days, asOf]`. */
export function idleWindowOf(asOf: string, days: number): Span {
  return { from: new Date(Date.parse(asOf) - days * DAY_MS).toISOString(), to: asOf };
}

/**
 * What the identity map says about one QuickSight user (`UserIdentityFacts`): a GetItem for the
 * IdC user id its principal id ends with, and a query per email key. The shells (services/plan/
 * pending-facts.ts, services/removals/worker/delete-checks.ts) call it only while items are pending.
 */
export async function identityFactsOf(
  user: QuickSightUser,
  identities: Pick<DynamoIdentityMap, 'get' | 'findByEmail'>,
): Promise<UserIdentityFacts> {
  const principalId = principalIdcUserId(user.principalId);
  const known = principalId ? await identities.get(principalId) : undefined;
  const ids = new Set<string>();
  for (const email of emailKeysOf(user))
    for (const record of await identities.findByEmail(email)) ids.add(record.userId);
  return {
    ...(known ? { knownPrincipalIdcUserId: principalId } : {}),
    emailIdcUserIds: [...ids],
  };
}
