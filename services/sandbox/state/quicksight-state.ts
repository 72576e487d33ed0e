import type { QuickSightUser } from '../../../shared/domain.js';
import { QuickSightAssets } from './quicksight-assets.js';

/**
 * The sandbox's QuickSight users of one account and namespace, with per-user delete counters,
 * the account's assets (./quicksight-assets.ts: shared by the namespaces of one account, as in
 * QuickSight) and a record of who called its user operations (`calls`).
 */
export class QuickSightState {
  private readonly users = new Map<string, QuickSightUser>();
  /** Successful deletes per user name: a test asserts none is deleted twice. */
  readonly deletes = new Map<string, number>();
  /** Users QuickSight removed itself (`expire`), in order. */
  readonly expired: QuickSightUser[] = [];
  /** Successful UpdateUser calls per user name. */
  readonly updates = new Map<string, number>();

  /** Every user operation the stand-in served here, with the access key that signed it. */
  readonly calls: Array<{ readonly operation: string; readonly accessKeyId: string }> = [];

  /** The account's dashboards, analyses, datasets, … and their permissions. */
  readonly assets: QuickSightAssets;

  /** `assets`: another namespace's of the same account (one account, one set of assets). */
  constructor(
    readonly accountId: string,
    readonly namespace: string,
    readonly region: string,
    assets?: QuickSightAssets,
  ) {
    this.assets = assets ?? new QuickSightAssets(accountId, region);
  }

  arnOf(userName: string): string {
    return `arn:aws:quicksight:${this.region}:${this.accountId}:user/${this.namespace}/${userName}`;
  }

  /** Adds a user (RegisterUser); the key is the user name, or the principal id for `N/A` names. */
  register(user: Omit<QuickSightUser, 'arn'> & { arn?: string }): QuickSightUser {
    const stored: QuickSightUser = { ...user, arn: user.arn ?? this.arnOf(user.userName) };
    const key = keyOf(stored);
    if (this.users.has(key)) throw new Error(`QuickSight user ${key} exists`);
    this.users.set(key, stored);
    this.assets.principalBack(stored.arn);
    return stored;
  }

  get(userName: string): QuickSightUser | undefined {
    return this.users.get(userName);
  }

  findByPrincipalId(principalId: string): QuickSightUser | undefined {
    for (const u of this.users.values()) if (u.principalId === principalId) return u;
    return undefined;
  }

  /** Deletes by the stored key; records the delete. False when the user does not exist. */
  delete(user: QuickSightUser): boolean {
    const key = keyOf(user);
    if (!this.users.delete(key)) return false;
    // As QuickSight does: no asset clean-up; the entries stay, naming a gone principal.
    this.assets.principalGone(user.arn);
    this.deletes.set(key, (this.deletes.get(key) ?? 0) + 1);
    return true;
  }

  /** Replaces a stored user's fields (UpdateUser); the key stays. */
  update(user: QuickSightUser, change: Partial<Omit<QuickSightUser, 'arn'>>): QuickSightUser {
    const key = keyOf(user);
    const updated: QuickSightUser = { ...user, ...change, userName: user.userName };
    this.users.set(key, updated);
    this.updates.set(key, (this.updates.get(key) ?? 0) + 1);
    return updated;
  }

  /** Sets `Active` as QuickSight itself does (no API call, no counter). */
  setActive(user: QuickSightUser, active: boolean): QuickSightUser {
    const updated: QuickSightUser = { ...user, active };
    this.users.set(keyOf(user), updated);
    return updated;
  }

  /**
   * QuickSight's own removal of a seat (an inactive IAM_IDENTITY_CENTER user on the 1st of the
   * month): gone like a delete (its permission entries stay, naming a gone principal), but not counted in
   * `deletes` (no one called DeleteUser). False when the user does not exist.
   */
  expire(user: QuickSightUser): boolean {
    if (!this.users.delete(keyOf(user))) return false;
    this.assets.principalGone(user.arn);
    this.expired.push(user);
    return true;
  }

  list(): QuickSightUser[] {
    return [...this.users.values()];
  }

  get size(): number {
    return this.users.size;
  }
}

function keyOf(user: Pick<QuickSightUser, 'userName' | 'principalId'>): string {
  return user.userName === 'N/A' ? `N/A#${user.principalId ?? ''}` : user.userName;
}
