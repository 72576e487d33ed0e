import type { OrgPerson, SandboxOrg } from './org-types.js';

/**
 * A Google group of people whose QuickSight use leaves no trace (e.g. the recipients of emailed
 * dashboard reports): what IDSYNC_INACTIVE_KEEP_GROUPS names. It is not one of the org's
 * configured groups; its members may or may not be in one.
 */
export function addKeepGroup(
  org: SandboxOrg,
  email: string,
  members: readonly Pick<OrgPerson, 'email' | 'googleId'>[],
): string {
  org.google.addGroup(email, `0keep${email.length.toString(36).padStart(10, '0')}`);
  for (const m of members)
    org.google.addMember(email, {
      id: m.googleId,
      email: m.email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
  return email.toLowerCase();
}
