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

export interface QuickSightPort {
  listUsers(): AsyncIterable<readonly QuickSightUser[]>;
  deleteUser(userName: string): Promise<DeleteOutcome>;
  deleteUserByPrincipalId(principalId: string): Promise<DeleteOutcome>;
}
