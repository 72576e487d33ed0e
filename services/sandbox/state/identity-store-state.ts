import { randomUUID } from 'node:crypto';
import type { IdcUser } from '../../../shared/domain.js';

/** The sandbox's IAM Identity Center identity store. Users keep insertion order for paging. */
export class IdentityStoreState {
  private readonly users = new Map<string, IdcUser>();

  constructor(readonly identityStoreId: string) {}

  /** Creates a user; `userId` defaults to a fresh UUID, as IdC assigns. */
  createUser(user: Omit<IdcUser, 'userId'> & { userId?: string }): IdcUser {
    const created: IdcUser = { ...user, userId: user.userId ?? randomUUID() };
    if (this.findByUserName(created.userName))
      throw new Error(`user name ${created.userName} exists`);
    this.users.set(created.userId, created);
    return created;
  }

  deleteUser(userId: string): boolean {
    return this.users.delete(userId);
  }

  get(userId: string): IdcUser | undefined {
    return this.users.get(userId);
  }

  findByUserName(userName: string): IdcUser | undefined {
    const wanted = userName.toLowerCase();
    for (const u of this.users.values()) if (u.userName.toLowerCase() === wanted) return u;
    return undefined;
  }

  list(): IdcUser[] {
    return [...this.users.values()];
  }

  get size(): number {
    return this.users.size;
  }
}
