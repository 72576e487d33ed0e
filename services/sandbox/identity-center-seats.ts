import type { QuickSightUser } from '../../shared/domain.js';
import { GROUP_IDENTITY_TYPE } from '../../shared/quicksight-user-rules.js';
import type { SandboxOrg } from './scenarios/org-types.js';

/**
 * What QuickSight does with IAM_IDENTITY_CENTER users, played on a sandbox organisation: a user
 * whose person is in no configured group any more (so in no IdC group mapped to a QuickSight
 * role) becomes inactive at the next sync (`Active: false`, listed under "Inactive users"); on
 * the 1st of the next month QuickSight removes every inactive one. idsync never calls DeleteUser
 * for them (QuickSight would refuse it); these are the only way their seats end.
 */

/** Marks inactive the IdC-native users whose person is not entitled; re-activates returning ones. */
export function followIdentityCenterGroups(
  org: SandboxOrg,
  entitled: ReadonlySet<string>,
): { readonly deactivated: QuickSightUser[] } {
  const deactivated: QuickSightUser[] = [];
  for (const user of org.quickSight.list()) {
    if (user.identityType !== GROUP_IDENTITY_TYPE) continue;
    const member = user.email !== undefined && entitled.has(user.email.toLowerCase());
    if (!member && user.active !== false) deactivated.push(org.quickSight.setActive(user, false));
    else if (member && user.active === false) org.quickSight.setActive(user, true);
  }
  return { deactivated };
}

/** "The 1st of the month": QuickSight removes every inactive IAM_IDENTITY_CENTER user. */
export function runFirstOfMonth(org: SandboxOrg): QuickSightUser[] {
  const removed: QuickSightUser[] = [];
  for (const user of org.quickSight.list())
    if (
      user.identityType === GROUP_IDENTITY_TYPE &&
      user.active === false &&
      org.quickSight.expire(user)
    )
      removed.push(user);
  return removed;
}
