import type { SandboxOrg } from './org-types.js';

/** The roles the sandbox serves (start-sandbox.ts LayoutRoles, the same shape). */
export interface LayoutRoles {
  readonly quicksight?: string;
  readonly identitystore?: string;
  readonly cloudtrail?: string;
  readonly externalId?: string;
}

/**
 * How the sandbox lays out its accounts (`idsync sandbox --layout`), as the deploy layouts in
 * README "The layouts" do:
 * - `one-account`: IdC, QuickSight and idsync in the organisation's account;
 * - `two-account`: IAM Identity Center in its own account (the management account), QuickSight
 *   and idsync in the organisation's account. The IdentityStore stand-in is reached only through
 *   the reader role in the IdC account, which the STS stand-in issues (with the external id, as
 *   the companion stack's trust requires); the process's own credentials, of the QuickSight
 *   account, are refused there with AccessDenied. The IdC events carry the IdC account.
 */
export const SANDBOX_LAYOUTS = ['one-account', 'two-account'] as const;
export type SandboxLayout = (typeof SANDBOX_LAYOUTS)[number];

/** The external id the two-account layout's reader role requires. */
export const TWO_ACCOUNT_EXTERNAL_ID = 'idsync-sandbox-idc-external-id';

/** A 12-digit account other than `accountId`, derived from it (its first digit moved by one). */
export function identityCenterAccountOf(accountId: string): string {
  const first = Number(accountId[0]);
  return `${(first % 9) + 1}${accountId.slice(1)}`;
}

/** The reader role in the IdC account (the name the companion stack gives it for stack `Idsync`). */
export function identityCenterReaderRole(identityCenterAccountId: string): string {
  return `arn:aws:iam::${identityCenterAccountId}:role/Idsync-identity-center-reader`;
}

/**
 * `org` with IdC in its own account, and the roles that layout serves: the IdentityStore role in
 * the IdC account (and any `roles` given for the other services).
 */
export function twoAccountLayout(
  org: SandboxOrg,
  roles: LayoutRoles = {},
): { readonly org: SandboxOrg; readonly roles: LayoutRoles } {
  const identityCenterAccountId =
    org.identityCenterAccountId ?? identityCenterAccountOf(org.accountId);
  return {
    org: { ...org, identityCenterAccountId },
    roles: {
      ...roles,
      identitystore: identityCenterReaderRole(identityCenterAccountId),
      externalId: roles.externalId ?? TWO_ACCOUNT_EXTERNAL_ID,
    },
  };
}
