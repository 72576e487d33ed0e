import type { QuickSightUser } from './domain.js';
import { normalizeEmail } from './email.js';
import { emailOfUserName } from './removal-rules.js';

/**
 * Which QuickSight users belong to a person. A person (a normalised email) holds every QuickSight
 * user whose `email` is theirs, whose user name is `<IAM role>/<email>` (IAM-federated: the part
 * after the last `/` is the role session name), or whose user name is the email itself
 * (QUICKSIGHT-native and IAM_IDENTITY_CENTER users). Comparison is on normalised emails, so case
 * and full-width characters do not matter. `N/A` user names match by `email` only. Used by the
 * plan (services/plan/) and the activity import (services/activity/activity-csv.ts).
 */

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
