import type { LedgerEntry, QuickSightUser, Removal } from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import { emailKeysOf, isManagedByPrefix } from '../../../shared/quicksight-user-rules.js';
import { emailOfUserName } from '../../../shared/removal-rules.js';

/**
 * Level-triggered removal detection, like a controller: a leaver is a person the membership
 * ledger knows who is in no configured group in the newest COMPLETE snapshot. Running it twice
 * on the same state finds the same people, so a missed run is caught by the next one.
 */

export interface FindLeaversInput {
  /** Everyone ever seen as a member of a configured group in a COMPLETE snapshot. */
  readonly ledger: Iterable<LedgerEntry>;
  /** Normalised emails in any configured group in the newest COMPLETE snapshot. */
  readonly currentMembers: ReadonlySet<string>;
  readonly quickSightUsers: readonly QuickSightUser[];
  /** IDSYNC_MANAGED_USERNAME_PREFIX: QuickSight users under it are managed even if never seen. */
  readonly managedUsernamePrefix?: string;
}

/** The leavers, one removal per person, sorted by email. */
export function findLeavers(input: FindLeaversInput): Removal[] {
  const { currentMembers } = input;
  const leavers = new Map<string, Removal>();
  for (const entry of input.ledger) {
    const email = normalizeEmail(entry.email);
    if (email.length === 0 || currentMembers.has(email) || leavers.has(email)) continue;
    leavers.set(email, {
      email,
      source: 'group_removal',
      since: entry.lastSeenAsMember,
      detail: `last seen in ${describeGroups(entry.groups)} at ${entry.lastSeenAsMember}`,
    });
  }
  const prefix = input.managedUsernamePrefix;
  if (prefix) {
    for (const user of input.quickSightUsers) {
      if (!isManagedByPrefix(user.userName, prefix)) continue;
      const keys = emailKeysOf(user);
      if (keys.some((key) => currentMembers.has(key))) continue;
      const email = emailOfUserName(user.userName) ?? keys[0];
      if (email === undefined || leavers.has(email)) continue;
      leavers.set(email, {
        email,
        source: 'group_removal',
        userNamePrefix: prefix,
        detail: `managed by username prefix ${prefix} and in no configured group`,
      });
    }
  }
  return [...leavers.values()].sort((a, b) => compare(a.email, b.email));
}

function describeGroups(groups: readonly string[]): string {
  if (groups.length === 0) return 'a configured group';
  return groups.length === 1 ? `group ${groups[0]}` : `groups ${groups.join(', ')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
