import type { SandboxRoles } from '../start-sandbox.js';

/**
 * The roles `idsync sandbox --roles` serves: one per service, in the organisation's account, and
 * an external id their trust policies require, as a deployment with QuickSight, IAM Identity
 * Center and CloudTrail behind their own roles would have (README "Roles in other accounts").
 */
export function sandboxRoles(accountId: string): SandboxRoles {
  return {
    quicksight: `arn:aws:iam::${accountId}:role/idsync-quicksight`,
    identitystore: `arn:aws:iam::${accountId}:role/idsync-identitystore`,
    cloudtrail: `arn:aws:iam::${accountId}:role/idsync-cloudtrail`,
    externalId: 'idsync-sandbox-external-id',
  };
}
