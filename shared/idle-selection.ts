import type { Removal } from './domain.js';

/**
 * What the notices read of an `idsync inactive` selection: the idle users with their newest
 * activity, and the removals planned for them. The removals module's `InactiveSelection`
 * (services/removals/removals.ts) has this shape; the command passes it in (a job imports no
 * other job).
 */

export interface IdleUser {
  readonly email: string;
  /** `activityUserName(user)`: the user name, or `N/A#<principalId>`. */
  readonly userName: string;
  readonly role: string;
  /**
   * The key of the user's QuickSight account and namespace (shared/quicksight-scopes.ts);
   * absent: the home account's configured namespace. Its notice is keyed like its activity
   * record: `activityKey(scope, userName)`.
   */
  readonly scope?: string;
  /** The idle judgement: its reason, and the newest activity it saw when it saw any. */
  readonly verdict: {
    readonly reason: string;
    readonly last?: { readonly at: string } | undefined;
  };
}

export interface IdleSelection {
  readonly removals: readonly Removal[];
  /** Idle users (the removals' users). */
  readonly idle: readonly IdleUser[];
}
