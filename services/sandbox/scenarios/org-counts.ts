import type { OrgCounts, SandboxOrg } from './org-types.js';

type CountedParts = Pick<
  SandboxOrg,
  'google' | 'identityStore' | 'quickSight' | 'groups' | 'groupEmails'
>;

/** Counts the organisation's current states: group members (flattened), IdC and QuickSight users. */
export function countOrg(org: CountedParts): OrgCounts {
  const groupMembers: Record<string, number> = {};
  for (const group of org.groups) groupMembers[group] = org.google.listMembers(group, true).length;
  const quickSightByRole: Record<string, number> = {};
  const quickSightByIdentityType: Record<string, number> = {};
  const quickSightUsers = org.quickSight.list();
  for (const user of quickSightUsers) {
    quickSightByRole[user.role] = (quickSightByRole[user.role] ?? 0) + 1;
    quickSightByIdentityType[user.identityType] =
      (quickSightByIdentityType[user.identityType] ?? 0) + 1;
  }
  return {
    groupMembers,
    nestedGroupMembers: org.google.listMembers(org.groupEmails.analysts, true).length,
    entitledPeople: org.google.entitledEmails(org.groups).size,
    idcUsers: org.identityStore.size,
    quickSightUsers: quickSightUsers.length,
    quickSightByRole,
    quickSightByIdentityType,
  };
}
