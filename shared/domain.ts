/**
 * Domain types shared by every service. Plain data, no behaviour.
 */

/** A member of a configured Google group, as the Directory API lists it (nested groups flattened). */
export interface GoogleMember {
  /** Google's immutable id of the member. */
  readonly id: string;
  readonly email: string;
  /** USER, GROUP, CUSTOMER or EXTERNAL (lower-case in some responses; kept as received). */
  readonly type: string;
  readonly role?: string;
  readonly status?: string;
}

export interface IdcEmail {
  readonly value: string;
  readonly type?: string;
  readonly primary?: boolean;
}

export interface IdcExternalId {
  readonly issuer: string;
  readonly id: string;
}

/** An IAM Identity Center user. */
export interface IdcUser {
  readonly userId: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly emails: readonly IdcEmail[];
  readonly externalIds: readonly IdcExternalId[];
}

/** A QuickSight user (ListUsers / DescribeUser shape). */
export interface QuickSightUser {
  /** `N/A` for some IAM_IDENTITY_CENTER users; then only PrincipalId identifies them. */
  readonly userName: string;
  readonly email?: string;
  readonly role: string;
  readonly identityType: string;
  readonly principalId?: string;
  readonly arn: string;
  readonly active?: boolean;
}

export type SnapshotSource = 'google' | 'idc' | 'quicksight';
export type SnapshotStatus = 'RUNNING' | 'COMPLETE' | 'PARTIAL';

/** A past state of an identity-map record, kept when the user name or emails change. */
export interface IdentityHistoryEntry {
  readonly until: string;
  readonly userName: string;
  readonly emails: readonly string[];
}

/** Identity map row: who an IdC user id was, kept after the user is deleted. */
export interface IdentityRecord {
  readonly userId: string;
  readonly userName: string;
  readonly displayName?: string;
  /** Emails as IdC holds them. */
  readonly emails: readonly string[];
  /** Normalised primary (or first) email; the `byEmail` index key. Absent when the user has none. */
  readonly email?: string;
  readonly externalIds: readonly IdcExternalId[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Set when a COMPLETE listing (or a DeleteUser event) showed the user gone. */
  readonly goneAt?: string;
  readonly history: readonly IdentityHistoryEntry[];
}

/** Membership ledger row: a person idsync has seen as a member of a configured group. */
export interface LedgerEntry {
  /** Normalised email. */
  readonly email: string;
  readonly googleId: string;
  readonly groups: readonly string[];
  readonly firstSeenAsMember: string;
  readonly lastSeenAsMember: string;
  readonly lastSeenRunId: string;
}
