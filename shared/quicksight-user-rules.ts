import type { DecisionKind, QuickSightUser } from './domain.js';
import { normalizeEmail } from './email.js';

/**
 * What idsync knows of a QuickSight user, each rule one named statement: which person it belongs
 * to (matching by email), the key of a user QuickSight shows without a name, whether idsync
 * manages it (its user name), and what its identity type lets idsync do (user writes, or a seat
 * that ends with its IdC group) with the plan's decision that follows. Pure; the plan, the
 * worker's checks and the activity import use them.
 */

// Matching a person to their QuickSight users.

/**
 * Which QuickSight users belong to a person. A person (a normalised email) holds every QuickSight
 * user whose `email` is theirs, whose user name is `<IAM role>/<email>` (IAM-federated: the part
 * after the last `/` is the role session name), or whose user name is the email itself
 * (QUICKSIGHT-native and IAM_IDENTITY_CENTER users). Comparison is on normalised emails, so case
 * and full-width characters do not matter. `N/A` user names match by `email` only. Used by the
 * plan (services/removals/plan/) and the activity import (services/activity/activity-csv.ts).
 */

/** The email in a QuickSight user name (`role/session@x.com` or `someone@x.com`), if any. */
export function emailOfUserName(userName: string): string | undefined {
  if (userName === UNNAMED_USER) return undefined;
  const email = normalizeEmail(userName.slice(userName.lastIndexOf('/') + 1));
  return email.includes('@') ? email : undefined;
}

/** Every normalised email a QuickSight user can be found by (its `email`, its user name's email), each once. */
export function emailKeysOf(user: Pick<QuickSightUser, 'userName' | 'email'>): string[] {
  const keys: string[] = [];
  const fromField = user.email === undefined ? '' : normalizeEmail(user.email);
  if (fromField.length > 0) keys.push(fromField);
  const fromName = emailOfUserName(user.userName);
  if (fromName !== undefined && fromName !== fromField) keys.push(fromName);
  return keys;
}

export interface QuickSightIndex {
  /** The QuickSight users of a person, each once, in the order they were given to the index. */
  lookup(email: string): QuickSightUser[];
  /** How many users the index was built from. */
  readonly size: number;
}

/** Indexes QuickSight users by every email key once, so matching n people is O(n). */
export function buildQuickSightIndex(users: readonly QuickSightUser[]): QuickSightIndex {
  const byEmail = new Map<string, QuickSightUser[]>();
  for (const user of users) {
    for (const key of emailKeysOf(user)) {
      const list = byEmail.get(key);
      if (list) list.push(user);
      else byEmail.set(key, [user]);
    }
  }
  return {
    size: users.length,
    // A user is listed under each of its keys once; distinct keys never collide for one email.
    lookup: (email) => [...(byEmail.get(normalizeEmail(email)) ?? [])],
  };
}

/** The QuickSight users of one person. For many people, build the index once instead. */
export function matchQuickSightUsers(
  email: string,
  users: readonly QuickSightUser[],
): QuickSightUser[] {
  return buildQuickSightIndex(users).lookup(email);
}

// Identity modes: what each identity type lets idsync do.

/**
 * How a QuickSight user's seat can be ended, by its identity type, written once (the planner
 * decides with it in services/removals/plan/decide.ts, the worker re-checks it before each call in
 * services/removals/worker/delete-checks.ts):
 *
 * - `IAM` and `QUICKSIGHT` users are written with the user API (`DeleteUser`, `UpdateUser`);
 * - `IAM_IDENTITY_CENTER` users follow their IAM Identity Center group: QuickSight refuses every
 *   user write for them ("Operation is disabled for identities managed by IAM Identity Center").
 *   Once the person is out of every group mapped to a QuickSight role, QuickSight lists the user
 *   as inactive and removes the seat on the 1st of the next month (UTC). A leaver's seat therefore
 *   ends with the group by itself; a person still in a group must be taken out of it;
 * - any other identity type is unknown: never written, flagged.
 * Pure.
 */

export const USER_WRITE_IDENTITY_TYPES = ['IAM', 'QUICKSIGHT'] as const;
export const GROUP_IDENTITY_TYPE = 'IAM_IDENTITY_CENTER';

export type IdentityMode = 'user_writes' | 'group' | 'unknown';

export function identityModeOf(identityType: string): IdentityMode {
  if ((USER_WRITE_IDENTITY_TYPES as readonly string[]).includes(identityType)) return 'user_writes';
  return identityType === GROUP_IDENTITY_TYPE ? 'group' : 'unknown';
}

/** Whether idsync may send `DeleteUser` / `UpdateUser` for a user of this identity type. */
export function allowsUserWrites(identityType: string): boolean {
  return identityModeOf(identityType) === 'user_writes';
}

/**
 * The day (YYYY-MM-DD, UTC) QuickSight removes the seat of an IAM_IDENTITY_CENTER user who left
 * its groups at `leftAt`: the 1st of the next month. Undefined for an invalid time.
 */
export function seatEndsOn(leftAt: Date): string | undefined {
  const t = leftAt.getTime();
  if (Number.isNaN(t)) return undefined;
  const next = new Date(Date.UTC(leftAt.getUTCFullYear(), leftAt.getUTCMonth() + 1, 1));
  return next.toISOString().slice(0, 10);
}

/** Why a user write is never sent for this identity type (undefined: it may be sent). */
export function userWriteRefusal(identityType: string): string | undefined {
  switch (identityModeOf(identityType)) {
    case 'user_writes':
      return undefined;
    case 'group':
      return `${GROUP_IDENTITY_TYPE} user: QuickSight refuses user writes; the seat ends with the IAM Identity Center group`;
    case 'unknown':
      return `unknown identity type ${JSON.stringify(identityType)}: never deleted`;
  }
}

/**
 * The identity-mode rule of a planned deletion (the identity modes above): an IAM or QUICKSIGHT
 * user is deleted as planned; an IAM_IDENTITY_CENTER user never is. Its seat ends with the group
 * (`ends_with_group`): with the day QuickSight removes it when the person is in no configured
 * group any more (a leaver), or with the groups the operator must take the person out of (an
 * idle user, a CSV-listed member). Any other identity type is never deleted and is flagged
 * (`invalid`). Pure.
 */

export interface IdentityModeInput {
  readonly user: Pick<QuickSightUser, 'userName' | 'identityType' | 'role'>;
  /** Normalised email of the person. */
  readonly email: string;
  /** Whether the person (or another email of the user) is in a configured group now. */
  readonly member: boolean;
  /** The configured groups they are in (newest COMPLETE snapshot), sorted; empty when not known. */
  readonly groups: readonly string[];
  /** When the person left (the removal's `since`), else the plan's time. */
  readonly leftAt: Date | undefined;
}

export interface IdentityModeOutcome {
  readonly decision: DecisionKind;
  readonly reason: string;
  readonly seatEndsOn?: string;
  readonly leaveGroups?: readonly string[];
}

/** Undefined: the planned deletion stands (IAM, QUICKSIGHT). */
export function identityModeDecision(input: IdentityModeInput): IdentityModeOutcome | undefined {
  const { user, email, groups, member } = input;
  const mode = identityModeOf(user.identityType);
  if (mode === 'user_writes') return undefined;
  const who = `${user.role.toUpperCase()} user ${user.userName}`;
  if (mode === 'unknown')
    return { decision: 'invalid', reason: `${who}: ${userWriteRefusal(user.identityType)}` };
  if (member)
    return {
      decision: 'ends_with_group',
      reason: `${who} is IAM_IDENTITY_CENTER: remove ${email} from ${groups.length > 0 ? groups.join(', ') : 'the configured groups'} (QuickSight refuses DeleteUser for it and removes the seat on the 1st of the month after)`,
      ...(groups.length > 0 ? { leaveGroups: groups } : {}),
    };
  const day = input.leftAt ? seatEndsOn(input.leftAt) : undefined;
  return {
    decision: 'ends_with_group',
    reason: `${who} is IAM_IDENTITY_CENTER: the seat ends with the group${day ? `; QuickSight removes it on ${day}` : ''} (no API call)`,
    ...(day ? { seatEndsOn: day } : {}),
  };
}

/**
 * The groups an `ends_with_group` seat is ended through by idsync itself: with
 * IDSYNC_GOOGLE_GROUP_WRITE=on, an idle user (the idle selection named it) still in configured
 * groups is taken out of each of them (Directory API `members.delete`), one `leave_group`
 * decision per group. Off, a CSV-listed member, or a leaver (in no group: nothing to call): none,
 * and the `ends_with_group` decision stands (listed for the operator, or the seat ends by itself).
 */
export function leaveGroupDecisions(
  outcome: IdentityModeOutcome,
  context: { readonly groupWrite: boolean; readonly idle: boolean; readonly email: string },
): { readonly group: string; readonly reason: string }[] {
  if (!context.groupWrite || !context.idle || outcome.decision !== 'ends_with_group') return [];
  return (outcome.leaveGroups ?? []).map((group) => ({
    group,
    reason: `IAM_IDENTITY_CENTER user is idle: ${context.email} is taken out of Google group ${group} (IDSYNC_GOOGLE_GROUP_WRITE=on; QuickSight then lists the user inactive and removes the seat on the 1st of the month after)`,
  }));
}

// Who idsync manages.

/**
 * Who idsync manages, the one statement of it (plan-removals.ts and inactive-removals.ts both follow
 * it): a QuickSight user is managed when the membership ledger knows its person (seen as a member
 * of a configured group in a COMPLETE snapshot), or when its user name starts with
 * IDSYNC_MANAGED_USERNAME_PREFIX. An empty prefix manages nobody (it would match every user).
 * An unmanaged user is never removed.
 */

export interface ManagedRule {
  /** Normalised emails of everyone the membership ledger knows. */
  readonly people: ReadonlySet<string>;
  /** IDSYNC_MANAGED_USERNAME_PREFIX. */
  readonly usernamePrefix?: string | undefined;
}

/** Managed by the user-name prefix alone (a person the ledger may never have seen). */
export function isManagedByPrefix(userName: string, prefix: string | undefined): boolean {
  return prefix !== undefined && prefix.length > 0 && userName.startsWith(prefix);
}

export function isManaged(
  user: Pick<QuickSightUser, 'userName' | 'email'>,
  rule: ManagedRule,
): boolean {
  return (
    isManagedByPrefix(user.userName, rule.usernamePrefix) ||
    emailKeysOf(user).some((key) => rule.people.has(key))
  );
}

// Unnamed users.

/**
 * QuickSight's name for a user it shows without a name (some IAM_IDENTITY_CENTER users, federated
 * users without a session). It names nobody: many users share it, so such a user is keyed by its
 * principal id instead, written once here.
 */
export const UNNAMED_USER = 'N/A';

/** The key of an unnamed user: `N/A#<principalId>`. */
export function unnamedUserKey(principalId: string): string {
  return `${UNNAMED_USER}#${principalId}`;
}

/**
 * A QuickSight user's key where every user needs one (task ids, the worker's snapshot lookup):
 * its user name, or `N/A#<principalId>` for an unnamed user, `N/A#` when it has no principal id.
 */
export function quickSightUserKey(user: Pick<QuickSightUser, 'userName' | 'principalId'>): string {
  return user.userName === UNNAMED_USER ? unnamedUserKey(user.principalId ?? '') : user.userName;
}

/**
 * `quickSightUserKey` within the user's QuickSight account and namespace, `<scope>#<key>` (rows of
 * the home account's configured namespace carry no `scope`: `#<key>`): where users of several
 * scopes meet (the worker's snapshot lookup), the same user name in two namespaces is two users.
 */
export function scopedUserKey(
  user: Pick<QuickSightUser, 'userName' | 'principalId' | 'scope'>,
): string {
  return `${user.scope ?? ''}#${quickSightUserKey(user)}`;
}

/**
 * A QuickSight user's key in the activity record: as `quickSightUserKey`, except that an unnamed
 * user without a principal id keeps the plain `N/A` (there is no id to tell it apart by).
 */
export function activityUserKey(user: Pick<QuickSightUser, 'userName' | 'principalId'>): string {
  return user.userName === UNNAMED_USER && user.principalId
    ? unnamedUserKey(user.principalId)
    : user.userName;
}
