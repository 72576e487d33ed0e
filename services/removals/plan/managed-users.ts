import type { QuickSightUser } from '../../../shared/domain.js';
import { emailKeysOf } from '../../../shared/quicksight-matching.js';

/**
 * Who idsync manages, the one statement of it (leavers.ts and inactive-removals.ts both follow
 * it): a QuickSight user is managed when the membership ledger knows its person (seen as a member
 * of a configured group in a COMPLETE snapshot), or when its user name starts with
 * IDSYNC_MANAGED_USERNAME_PREFIX. An empty prefix manages nobody (it would match every user).
 * An unmanaged user is never removed.
 */

export interface ManagedRule {
  /** Normalised emails of everyone the membership ledger knows. */
  readonly people: ReadonlySet<string>;
  /** IDSYNC_MANAGED_USERNAME_PREFIX. */
  readonly usernamePrefix?: string | undefined;
}

/** Managed by the user-name prefix alone (a person the ledger may never have seen). */
export function isManagedByPrefix(userName: string, prefix: string | undefined): boolean {
  return prefix !== undefined && prefix.length > 0 && userName.startsWith(prefix);
}

export function isManaged(
  user: Pick<QuickSightUser, 'userName' | 'email'>,
  rule: ManagedRule,
): boolean {
  return (
    isManagedByPrefix(user.userName, rule.usernamePrefix) ||
    emailKeysOf(user).some((key) => rule.people.has(key))
  );
}
