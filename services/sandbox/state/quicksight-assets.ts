import { ASSET_TYPE_SPECS, type AssetType, isOwnerEntry } from '../quicksight/asset-types.js';

/**
 * The sandbox's QuickSight assets of one account (dashboards, analyses, datasets, data sources,
 * folders, themes, templates, topics), each with its permissions (principal ARN → actions).
 *
 * As in QuickSight: deleting a user (QuickSightState.delete) runs no asset clean-up: the user's
 * permission entries stay, naming a principal that no longer exists (`principalGone`), so an
 * asset whose owners are all gone has no living owner (`orphaned()` lists them: what a test
 * checks is empty), and Search* still counts the gone owner (DIRECT_QUICKSIGHT_SOLE_OWNER does
 * not find an asset its one living owner shares with a deleted one). The Search* index is eventually consistent: with
 * `searchLag` N, a permission change shows in search results only after N more search calls
 * (Describe*Permissions always answers the current permissions).
 */

export interface Asset {
  readonly type: AssetType;
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly createdTime: Date;
}

export interface PermissionEntry {
  readonly principal: string;
  readonly actions: readonly string[];
}

type Permissions = Map<string, Set<string>>;

interface PendingChange {
  readonly key: string;
  readonly permissions: Permissions;
  readonly visibleAtSearch: number;
}

export class QuickSightAssets {
  private readonly assets = new Map<string, Asset>();
  private readonly permissions = new Map<string, Permissions>();
  /** What Search* sees: the permissions as of the last change that became visible. */
  private readonly indexed = new Map<string, Permissions>();
  private pending: PendingChange[] = [];
  private searches = 0;
  /** Search calls a permission change waits before Search* sees it (0: at once). */
  searchLag = 0;
  /** Successful Update*Permissions calls, per `type/id`. */
  readonly permissionUpdates = new Map<string, number>();

  constructor(
    private readonly accountId: string,
    private readonly region: string,
  ) {}

  arnOf(type: AssetType, id: string): string {
    return `arn:aws:quicksight:${this.region}:${this.accountId}:${ASSET_TYPE_SPECS[type].arnWord}/${id}`;
  }

  /** Adds an asset with its permissions (visible to search at once: it predates the run). */
  add(
    type: AssetType,
    id: string,
    name: string,
    permissions: readonly PermissionEntry[],
    createdTime = new Date('2026-01-05T09:00:00Z'),
  ): Asset {
    const key = keyOf(type, id);
    if (this.assets.has(key)) throw new Error(`asset ${key} exists`);
    const asset: Asset = { type, id, name, arn: this.arnOf(type, id), createdTime };
    this.assets.set(key, asset);
    const perms = toPermissions(permissions);
    this.permissions.set(key, perms);
    this.indexed.set(key, clone(perms));
    return asset;
  }

  get(type: AssetType, id: string): Asset | undefined {
    return this.assets.get(keyOf(type, id));
  }

  list(type: AssetType): Asset[] {
    return [...this.assets.values()].filter((a) => a.type === type);
  }

  /** The current permissions of an asset, principals sorted, actions sorted. */
  permissionsOf(type: AssetType, id: string): PermissionEntry[] {
    return entriesOf(this.permissions.get(keyOf(type, id)));
  }

  /** Grants then revokes (Update*Permissions); the search index sees it after `searchLag` searches. */
  update(
    type: AssetType,
    id: string,
    grant: readonly PermissionEntry[],
    revoke: readonly PermissionEntry[],
  ): PermissionEntry[] {
    const key = keyOf(type, id);
    const perms = this.permissions.get(key);
    if (!perms) throw new Error(`no asset ${key}`);
    for (const g of grant) {
      const set = perms.get(g.principal) ?? new Set<string>();
      for (const a of g.actions) set.add(a);
      perms.set(g.principal, set);
    }
    for (const r of revoke) {
      const set = perms.get(r.principal);
      if (!set) continue;
      for (const a of r.actions) set.delete(a);
      if (set.size === 0) perms.delete(r.principal);
    }
    this.permissionUpdates.set(key, (this.permissionUpdates.get(key) ?? 0) + 1);
    this.changed(key);
    return entriesOf(perms);
  }

  /** Principals deleted (their entries stay, owning nothing a living user can use). */
  private readonly gone = new Set<string>();

  /** A deleted user: its entries stay as they are (QuickSight runs no asset clean-up). */
  principalGone(principal: string): void {
    this.gone.add(principal);
  }

  /** A principal registered again under the same ARN: its entries name a living user again. */
  principalBack(principal: string): void {
    this.gone.delete(principal);
  }

  /**
   * One Search* call: the assets of `type` whose indexed permissions match `filter` for the
   * principal ARN `value`, in id order.
   */
  search(type: AssetType, filter: SearchFilterName, value: string): Asset[] {
    this.searches++;
    const due = this.pending.filter((p) => p.visibleAtSearch <= this.searches);
    this.pending = this.pending.filter((p) => p.visibleAtSearch > this.searches);
    for (const p of due) this.indexed.set(p.key, p.permissions);
    return this.list(type)
      .filter((a) => matches(type, this.indexed.get(keyOf(type, a.id)), filter, value))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Assets no living principal owns any more: each a loss a test asserts never happens. */
  orphaned(): Asset[] {
    return [...this.assets.values()].filter((a) => {
      const perms = this.permissions.get(keyOf(a.type, a.id));
      return ![...(perms ?? [])].some(
        ([principal, actions]) => !this.gone.has(principal) && isOwnerEntry(a.type, actions),
      );
    });
  }

  /** The owners of an asset that are not gone (principal ARNs, sorted). */
  livingOwners(type: AssetType, id: string): string[] {
    return this.permissionsOf(type, id)
      .filter((e) => !this.gone.has(e.principal) && isOwnerEntry(type, e.actions))
      .map((e) => e.principal);
  }

  /** Assets whose one living owner is `principal`: what its deletion would leave without one. */
  onlyLivingOwner(principal: string): Asset[] {
    return [...this.assets.values()].filter((a) => {
      const owners = this.livingOwners(a.type, a.id);
      return owners.length === 1 && owners[0] === principal;
    });
  }

  /** Assets `principal` owns with nobody else (by the current permissions). */
  soleOwned(principal: string): Asset[] {
    return [...this.assets.values()].filter((a) =>
      matches(
        a.type,
        this.permissions.get(keyOf(a.type, a.id)),
        'DIRECT_QUICKSIGHT_SOLE_OWNER',
        principal,
      ),
    );
  }

  private changed(key: string): void {
    const perms = this.permissions.get(key);
    if (!perms) return;
    if (this.searchLag <= 0) {
      this.indexed.set(key, clone(perms));
      return;
    }
    this.pending.push({
      key,
      permissions: clone(perms),
      visibleAtSearch: this.searches + this.searchLag,
    });
  }
}

/** The Search* filter names the stand-in answers. */
export const SEARCH_FILTER_NAMES = [
  'QUICKSIGHT_USER',
  'QUICKSIGHT_OWNER',
  'DIRECT_QUICKSIGHT_OWNER',
  'DIRECT_QUICKSIGHT_SOLE_OWNER',
] as const;
export type SearchFilterName = (typeof SEARCH_FILTER_NAMES)[number];

function matches(
  type: AssetType,
  perms: Permissions | undefined,
  filter: SearchFilterName,
  principal: string,
): boolean {
  const mine = perms?.get(principal);
  if (!mine || mine.size === 0) return false;
  if (filter === 'QUICKSIGHT_USER') return true;
  if (!isOwnerEntry(type, mine)) return false;
  if (filter !== 'DIRECT_QUICKSIGHT_SOLE_OWNER') return true;
  for (const [other, actions] of perms ?? [])
    if (other !== principal && isOwnerEntry(type, actions)) return false;
  return true;
}

function keyOf(type: AssetType, id: string): string {
  return `${type}/${id}`;
}

function toPermissions(entries: readonly PermissionEntry[]): Permissions {
  const perms: Permissions = new Map();
  for (const e of entries) perms.set(e.principal, new Set(e.actions));
  return perms;
}

function clone(perms: Permissions): Permissions {
  return new Map([...perms].map(([p, a]) => [p, new Set(a)]));
}

function entriesOf(perms: Permissions | undefined): PermissionEntry[] {
  return [...(perms ?? new Map<string, Set<string>>())]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([principal, actions]) => ({ principal, actions: [...actions].sort() }));
}
