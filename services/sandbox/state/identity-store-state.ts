import { randomUUID } from 'node:crypto';
import type { IdcUser } from '../../../shared/domain.js';

/** The sandbox's IAM Identity Center identity store. Users keep insertion order for paging. */
export class IdentityStoreState {
  private readonly users = new Map<string, IdcUser>();
  /** Lower-cased user name → user id, so creating thousands of users stays linear. */
  private readonly idsByUserName = new Map<string, string>();

  constructor(readonly identityStoreId: string) {}

  /** Creates a user; `userId` defaults to a fresh UUID, as IdC assigns. */
  createUser(user: Omit<IdcUser, 'userId'> & { userId?: string }): IdcUser {
    const created: IdcUser = { ...user, userId: user.userId ?? randomUUID() };
    if (this.findByUserName(created.userName))
      throw new Error(`user name ${created.userName} exists`);
    if (this.users.has(created.userId)) throw new Error(`user id ${created.userId} exists`);
    this.users.set(created.userId, created);
    this.idsByUserName.set(created.userName.toLowerCase(), created.userId);
    return created;
  }

  deleteUser(userId: string): boolean {
    const user = this.users.get(userId);
    if (!user) return false;
    this.idsByUserName.delete(user.userName.toLowerCase());
    return this.users.delete(userId);
  }

  get(userId: string): IdcUser | undefined {
    return this.users.get(userId);
  }

  findByUserName(userName: string): IdcUser | undefined {
    const userId = this.idsByUserName.get(userName.toLowerCase());
    return userId === undefined ? undefined : this.users.get(userId);
  }

  list(): IdcUser[] {
    return [...this.users.values()];
  }

  get size(): number {
    return this.users.size;
  }
}
