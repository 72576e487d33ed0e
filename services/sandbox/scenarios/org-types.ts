import type { QuickSightUser } from '../../../shared/domain.js';
import type { GoogleDirectoryState } from '../state/google-state.js';
import type { IdentityStoreState } from '../state/identity-store-state.js';
import type { QuickSightState } from '../state/quicksight-state.js';

/**
 * How many people of each kind a sandbox organisation has. `mixedCase` and `protectedReaders`
 * are subsets of `readers`; `authorsAlsoReaders` is a subset of `authors`.
 */
export interface OrgSpec {
  readonly domain: string;
  /** Plain readers: direct members of the readers group, one IAM Reader user each. */
  readonly readers: number;
  /** Members of the nested analysts subgroup only, one IAM Reader user each. */
  readonly analysts: number;
  /** Members of the analysts subgroup who are also direct members of the readers group. */
  readonly analystsAlsoReaders: number;
  /** Readers group members whose Reader user is QUICKSIGHT-native (user name = short name). */
  readonly quickSightNative: number;
  /** Readers group members with an IAM_IDENTITY_CENTER Reader user; the first has user name `N/A`. */
  readonly identityCenter: number;
  /** People in the authors group with an AUTHOR user. */
  readonly authors: number;
  /** Of the authors, people also in the readers group holding a second, Reader, user. */
  readonly authorsAlsoReaders: number;
  /** People in the authors group with an ADMIN user. */
  readonly admins: number;
  /** Of the plain readers, those whose QuickSight e-mail and user name are mixed-case. */
  readonly mixedCase: number;
  /** Of the plain readers, those on the allow-list (IDSYNC_PROTECTED_USERS). */
  readonly protectedReaders: number;
  /** IdC users in no group, created by hand (no SCIM external id): the sync never touches them. */
  readonly idcOnly: number;
  /** QuickSight Readers of people never in any group (left before idsync was installed). */
  readonly strangers: number;
  /** AWS region of IdC and QuickSight; default `us-east-1`. */
  readonly region?: string;
}

export type PersonKind =
  | 'reader'
  | 'analyst'
  | 'analyst-and-reader'
  | 'native'
  | 'identity-center'
  | 'author'
  | 'author-and-reader'
  | 'admin'
  | 'idc-only'
  | 'stranger';

/** One person of the organisation as built (later membership changes are in the states). */
export interface OrgPerson {
  readonly kind: PersonKind;
  /** Lower-case, as Google lists it. */
  readonly email: string;
  readonly googleId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
  /** Groups the person is a direct member of. */
  readonly groups: readonly string[];
  readonly idcUserId?: string;
  readonly quickSightUsers: readonly QuickSightUser[];
  readonly protected: boolean;
  readonly mixedCase: boolean;
}

/** An IAM role that QuickSight users federate through (one per permission set and account). */
export interface FederationRole {
  /** `AWSReservedSSO_<PermissionSet>_<16 hex>` */
  readonly name: string;
  /** The role's unique id, `AROA…`, the first half of the users' principal ids. */
  readonly id: string;
}

export interface OrgCounts {
  /** Flattened (nested groups included) user members per configured group. */
  readonly groupMembers: Readonly<Record<string, number>>;
  /** User members of the nested subgroup. */
  readonly nestedGroupMembers: number;
  /** Distinct people in any configured group. */
  readonly entitledPeople: number;
  readonly idcUsers: number;
  readonly quickSightUsers: number;
  readonly quickSightByRole: Readonly<Record<string, number>>;
  readonly quickSightByIdentityType: Readonly<Record<string, number>>;
}

/** A sandbox organisation: the three in-memory states plus what idsync is configured with. */
export interface SandboxOrg {
  readonly google: GoogleDirectoryState;
  readonly identityStore: IdentityStoreState;
  readonly quickSight: QuickSightState;
  /**
   * QuickSight users of other namespaces and accounts (the `multi-quicksight` layout,
   * scenarios/layouts.ts), each state one account and namespace. Unset: `quickSight` only.
   */
  readonly moreQuickSight?: readonly QuickSightState[];
  /** Configured group e-mails (IDSYNC_GOOGLE_GROUPS): readers, then authors. */
  readonly groups: readonly string[];
  readonly groupEmails: {
    readonly readers: string;
    readonly analysts: string;
    readonly authors: string;
  };
  /** The Workspace admin the service account impersonates (IDSYNC_GOOGLE_SUBJECT). */
  readonly subject: string;
  readonly domain: string;
  readonly identityStoreId: string;
  readonly accountId: string;
  /**
   * The account of IAM Identity Center when it is not `accountId` (the sandbox's two-account
   * layout, scenarios/layouts.ts): its CloudTrail events carry it. Unset: `accountId`.
   */
  readonly identityCenterAccountId?: string;
  readonly namespace: string;
  readonly region: string;
  /** The SCIM endpoint's tenant id (`https://scim.<region>.amazonaws.com/<tenantId>/scim/v2`). */
  readonly scimTenantId: string;
  readonly roles: {
    readonly reader: FederationRole;
    readonly author: FederationRole;
    readonly admin: FederationRole;
  };
  /** E-mails meant for IDSYNC_PROTECTED_USERS. */
  readonly protectedEmails: readonly string[];
  readonly people: readonly OrgPerson[];
  readonly spec: OrgSpec;
  readonly seed: number;
  /** Counts as built; `countOrg(org)` recounts the current states. */
  readonly counts: OrgCounts;
}

/** Issuer of the external id that Google's SCIM provisioning (and ssosync) stamps on IdC users. */
export const SCIM_ISSUER = 'https://scim.googleapis.com';
