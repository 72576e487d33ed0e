import type { QuickSightUser } from './domain.js';

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
