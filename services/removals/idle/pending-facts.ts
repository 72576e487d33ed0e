import { activityUserName, type Span } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { forEachConcurrently } from '../../../shared/dynamo/batch.js';
import type { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import type { PendingEvidence } from '../../../shared/pending-events.js';
import type { JudgedUser } from './inactive-removals.js';
import {
  identityFactsOf,
  pendingEventsAgainst,
  type UserIdentityFacts,
} from './pending-coverage.js';

/**
 * The shell of the pending-events coverage rule (services/removals/idle/pending-coverage.ts) for `idsync inactive`:
 * with pending events stored, looks up in the identity map what it says about each user judged
 * idle without them (only those can change), and returns the `pendingEventsOf` of
 * inactive-removals.ts. Undefined when nothing is pending (the usual case: no lookups).
 */
/** Identity-map lookups in flight at once (a GetItem and a GSI Query per idle user). */
const LOOKUPS_IN_FLIGHT = 8;

export async function pendingCoverageOf(
  pending: readonly PendingEvidence[],
  idle: readonly JudgedUser[],
  users: readonly QuickSightUser[],
  identities: Pick<DynamoIdentityMap, 'get' | 'findByEmail'>,
): Promise<((user: QuickSightUser, window: Span) => number) | undefined> {
  if (pending.length === 0) return undefined;
  const byName = new Map(users.map((u) => [activityUserName(u), u]));
  const facts = new Map<string, UserIdentityFacts>();
  const candidates = idle.flatMap((j) => byName.get(j.userName) ?? []);
  await forEachConcurrently(candidates.values(), LOOKUPS_IN_FLIGHT, async (user) => {
    facts.set(user.arn, await identityFactsOf(user, identities));
  });
  return (user, window) =>
    pendingEventsAgainst(window, pending, facts.get(user.arn) ?? { emailIdcUserIds: [] });
}
