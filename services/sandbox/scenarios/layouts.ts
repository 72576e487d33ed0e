import { QuickSightState } from '../state/quicksight-state.js';
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
 * - `multi-quicksight`: QuickSight users in two namespaces of the organisation's account
 *   (`default` and `sales`) and in a second QuickSight account, reached only through its role
 *   there (issued by the STS stand-in); `env` names them in IDSYNC_QUICKSIGHT_ACCOUNTS
 *   (`multiQuickSightLayout`).
 */
export const SANDBOX_LAYOUTS = ['one-account', 'two-account', 'multi-quicksight'] as const;
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

/** The second namespace of the organisation's account in the `multi-quicksight` layout. */
export const SECOND_NAMESPACE = 'sales';

/** The idsync role the `multi-quicksight` layout's second QuickSight account holds. */
export function quickSightAccountRole(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/idsync-quicksight`;
}

/** A third 12-digit account derived from `accountId` (its first digit moved by two). */
export function secondQuickSightAccountOf(accountId: string): string {
  const first = Number(accountId[0]);
  return `${((first + 1) % 9) + 1}${accountId.slice(1)}`;
}

export interface MultiQuickSightLayout {
  readonly org: SandboxOrg;
  /** The second QuickSight account and the role idsync assumes there. */
  readonly second: { readonly accountId: string; readonly roleArn: string };
  /** IDSYNC_QUICKSIGHT_ACCOUNTS for this layout. */
  readonly quickSightAccounts: string;
}

/**
 * `org` with QuickSight users in three scopes, as a team with several QuickSight accounts has
 * them: every Reader of an ordinary reader (people of kind `reader`, not protected) at an index
 * ≡ 0 (mod 3) also holds a seat in the `sales` namespace, every one at ≡ 1 (mod 3) one in the
 * second account's `default` namespace (same user names; ARNs of their own account and
 * namespace). The home users stay as they are, so every single-account scenario still holds.
 */
export function multiQuickSightLayout(org: SandboxOrg): MultiQuickSightLayout {
  const home = org.quickSight;
  const secondAccount = secondQuickSightAccountOf(org.accountId);
  const sales = new QuickSightState(home.accountId, SECOND_NAMESPACE, home.region, home.assets);
  const other = new QuickSightState(secondAccount, home.namespace, home.region);
  const readers = org.people.filter((p) => p.kind === 'reader' && !p.protected);
  readers.forEach((person, i) => {
    const target = i % 3 === 0 ? sales : i % 3 === 1 ? other : undefined;
    if (!target) return;
    for (const { arn: _arn, principalId: _principal, ...user } of person.quickSightUsers)
      target.register(user);
  });
  const roleArn = quickSightAccountRole(secondAccount);
  return {
    org: { ...org, moreQuickSight: [sales, other] },
    second: { accountId: secondAccount, roleArn },
    quickSightAccounts: `${org.accountId}:${home.namespace}:${SECOND_NAMESPACE},${secondAccount}@${roleArn}`,
  };
}
