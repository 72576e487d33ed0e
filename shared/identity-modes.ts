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
