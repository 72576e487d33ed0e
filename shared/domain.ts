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
  /**
   * The key of the QuickSight account and namespace the user was listed in
   * (shared/quicksight-scopes.ts, `QuickSightScope.key`); absent: the home account's configured
   * namespace (rows written before several scopes existed).
   */
  readonly scope?: string;
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

/**
 * The decision for one (person, QuickSight user) pair, as plain data. `decide` makes the
 * decisions of one person before the guard; the guard may later turn `delete` into `blocked`.
 */

export const DECISION_KINDS = [
  'delete',
  'not_found',
  'protected',
  'deferred',
  'blocked',
  'invalid',
  'ends_with_group',
  'leave_group',
  'upgrade',
  'downgrade',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** In this order: a person named by several sources gets the first as the decision's source. */
export const REMOVAL_SOURCES = [
  'group_removal',
  'deleted_event',
  'csv',
  'inactive',
  'group_role',
] as const;
export type RemovalSource = (typeof REMOVAL_SOURCES)[number];

/** Someone whose QuickSight users should go, and why. */
export interface Removal {
  /** Normalised email of the person. */
  readonly email: string;
  readonly source: RemovalSource;
  /** IdC user id, when the removal came from a DeleteUser event. */
  readonly userId?: string;
  /** Where it came from, for people: "CSV line 4", "last seen in group g on …". */
  readonly detail?: string;
  /** ISO time the person was last known entitled (left the group / IdC user deleted); drives the grace period. */
  readonly since?: string;
  /** Only QuickSight users whose user name starts with this are meant (managed-prefix removals). */
  readonly userNamePrefix?: string;
  /**
   * Only this QuickSight user is meant (`inactive`: idleness is per user, not per person), named
   * as `activityUserName` names it (`N/A` users by their principal id).
   */
  readonly userName?: string;
  /** `remove --csv --keep-members`: a person still in a configured group is deferred, not deleted. */
  readonly keepMembers?: boolean;
  /** `inactive`: the N days of the idle rule that judged the user (the worker re-judges with them). */
  readonly idleDays?: number;
  /**
   * `inactive --downgrade-authors`: the user is not deleted but changed to this role (an idle
   * Author becomes a Reader, shared/authoring.ts): its decision is a `downgrade`.
   */
  readonly targetRole?: string;
}

/** The QuickSight user a decision is about (the fields an audit row and the worker need). */
export interface DecidedQuickSightUser {
  readonly userName: string;
  readonly arn: string;
  readonly role: string;
  readonly identityType: string;
  readonly principalId?: string;
  readonly email?: string;
  /** The key of the user's QuickSight account and namespace, as listed (QuickSightUser.scope). */
  readonly scope?: string;
}

export interface Decision {
  readonly email: string;
  /** The first of `sources` in the order group_removal, deleted_event, csv. */
  readonly source: RemovalSource;
  /** Every source that named this person in the run. */
  readonly sources: readonly RemovalSource[];
  readonly decision: DecisionKind;
  readonly reason: string;
  /** Absent only for `not_found` and an `invalid` email. */
  readonly quickSightUser?: DecidedQuickSightUser;
  readonly userId?: string;
  /** A `blocked` deletion beyond the guard window's budget: queued as a BLOCKED task. */
  readonly windowBlocked?: boolean;
  /** A `blocked` write of a QuickSight account over its own guard limits: queued as a BLOCKED task. */
  readonly accountHeld?: boolean;
  /** A per-user removal's detail for this user (`inactive`: what the idle rule saw). */
  readonly detail?: string;
  /** Set on a `delete` of a person who is in a configured group (deleted because they were listed or idle). */
  readonly member?: true;
  /** The removal asked to keep current members (`--keep-members`); the task carries it to the worker. */
  readonly keepMembers?: true;
  /** An `inactive` decision: the idle rule's N days; the task carries them to the worker. */
  readonly idleDays?: number;
  /** `ends_with_group` of a person in no configured group: the day (YYYY-MM-DD) QuickSight removes the seat. */
  readonly seatEndsOn?: string;
  /** `ends_with_group` of a person still in configured groups: the groups to take them out of. */
  readonly leaveGroups?: readonly string[];
  /**
   * `leave_group` (IDSYNC_GOOGLE_GROUP_WRITE=on): the Google group the person is taken out of,
   * one decision per group; kept when the guard turns the decision `blocked`.
   */
  readonly group?: string;
  /**
   * `upgrade` / `downgrade` (and such a change the guard blocked): the QuickSight role the user
   * is changed to; its task is a `change_role` (shared/task.ts).
   */
  readonly targetRole?: string;
  /** A role change's effect on the monthly bill in USD (negative: a saving; shared/prices.ts). */
  readonly monthlyChange?: number;
}

export interface GuardResult {
  /** The whole plan is stopped (every guarded write blocked). */
  readonly tripped: boolean;
  readonly reasons: readonly string[];
  /**
   * With several QuickSight accounts: the accounts whose own limits the plan exceeds (their
   * guarded writes are held BLOCKED, the other accounts' proceed); `reasons` name them.
   */
  readonly heldAccounts?: readonly string[];
  /** Empty when not tripped. */
  readonly howToOverride: string;
}

export interface Plan {
  readonly decisions: readonly Decision[];
  readonly guard: GuardResult;
  readonly counts: Readonly<Record<DecisionKind, number>>;
}
