import type { GoogleMember, IdcUser, QuickSightUser } from './domain.js';

/**
 * Ports: the small interfaces through which the jobs reach the outside world. Adapters in
 * shared/aws and services/snapshot/google implement them; tests and the sandbox stand behind them.
 * Listing methods yield one array per page, so callers can stream pages to storage.
 */

export interface GoogleDirectoryPort {
  /** Every member of a group, nested groups flattened (includeDerivedMembership), page by page. */
  listMembers(groupKey: string): AsyncIterable<readonly GoogleMember[]>;
}

export interface IdentityStorePort {
  listUsers(): AsyncIterable<readonly IdcUser[]>;
  /** `undefined` when the user does not exist. */
  describeUser(userId: string): Promise<IdcUser | undefined>;
}

export type DeleteOutcome = 'deleted' | 'not_found';
/**
 * A role change (UpdateUser): `role_changed`, or `already_in_role` when the user held the target
 * role already (nothing sent), or `not_found`.
 */
export type RoleChangeOutcome = 'role_changed' | 'already_in_role' | 'not_found';

export interface QuickSightPort {
  listUsers(): AsyncIterable<readonly QuickSightUser[]>;
  deleteUser(userName: string): Promise<DeleteOutcome>;
  deleteUserByPrincipalId(principalId: string): Promise<DeleteOutcome>;
  /**
   * Changes the user's role to `role` (UpdateUser), keeping its email and other fields; reads the
   * user first (DescribeUser) and sends nothing when it holds the role already.
   */
  updateUserRole?(userName: string, role: string): Promise<RoleChangeOutcome>;
}
