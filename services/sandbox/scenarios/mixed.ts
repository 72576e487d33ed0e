import { ASSET_TYPE_SPECS, type AssetType } from '../quicksight/asset-types.js';
import type { PermissionEntry } from '../state/quicksight-assets.js';
import { buildOrg, SMALL_SPEC } from './org.js';
import type { SandboxOrg } from './org-types.js';

/**
 * A mixed QuickSight account: IAM-federated, QuickSight-native and IAM Identity Center users (the
 * small organisation has all three), and Authors who own assets. Each Author and Admin owns, alone,
 * a dashboard, an analysis, a dataset, a data source and a folder; each also co-owns one dashboard
 * with the next Author (a shared asset keeps its other owner when one leaves); the first owns a
 * theme, a template and a topic (the types without a search). Readers view the shared dashboards.
 * In the Google Directory each Author's or Admin's manager is the previous one (for
 * IDSYNC_ASSET_SUCCESSOR=manager:…), and every other person's manager is the first Reader.
 */

export interface MixedOrgSpec {
  readonly seed?: number;
  /** Reader Pro users among the readers group: the price table prices them differently. */
  readonly readersGetPro?: number;
}

export function mixedOrg(options: MixedOrgSpec = {}): SandboxOrg {
  const org = buildOrg(
    { ...SMALL_SPEC, quickSightNative: 3, identityCenter: 4 },
    options.seed ?? 7,
  );
  seedAuthorAssets(org);
  seedManagers(org);
  return org;
}

const SOLE: readonly AssetType[] = ['dashboard', 'analysis', 'dataset', 'datasource', 'folder'];
const VIEWER = ['quicksight:DescribeDashboard', 'quicksight:QueryDashboard'];

/** The owners (Authors and Admins, by user ARN) and what they own; see the file comment. */
export function seedAuthorAssets(org: SandboxOrg): void {
  const owners = org.quickSight
    .list()
    .filter((u) => /^(AUTHOR|ADMIN)(_PRO)?$/.test(u.role))
    .sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const viewer = org.quickSight.list().find((u) => u.role === 'READER');
  const owner = (type: AssetType, arn: string): PermissionEntry => ({
    principal: arn,
    actions: ASSET_TYPE_SPECS[type].ownerActions,
  });
  owners.forEach((user, i) => {
    const short = `${i + 1}`.padStart(2, '0');
    for (const type of SOLE)
      org.quickSight.assets.add(type, `${type}-${short}`, `${type} of ${user.userName}`, [
        owner(type, user.arn),
      ]);
    const next = owners[(i + 1) % owners.length];
    if (next && next !== user)
      org.quickSight.assets.add('dashboard', `shared-${short}`, `shared by ${user.userName}`, [
        owner('dashboard', user.arn),
        owner('dashboard', next.arn),
        ...(viewer ? [{ principal: viewer.arn, actions: VIEWER }] : []),
      ]);
  });
  const first = owners[0];
  if (first)
    for (const type of ['theme', 'template', 'topic'] as const)
      org.quickSight.assets.add(type, `${type}-01`, `${type} of ${first.userName}`, [
        owner(type, first.arn),
      ]);
}

/** Managers in the Google Directory (users.get `relations`); see the file comment. */
export function seedManagers(org: SandboxOrg): void {
  const users = org.quickSight.list();
  const owners = users
    .filter((u) => /^(AUTHOR|ADMIN)(_PRO)?$/.test(u.role) && u.email)
    .sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const ownerEmails = new Set(owners.map((u) => u.email?.toLowerCase()));
  owners.forEach((user, i) => {
    const previous = owners[(i + owners.length - 1) % owners.length];
    if (user.email && previous?.email && previous !== user)
      org.google.setManager(user.email, previous.email);
  });
  const reader = users.find(
    (u) => u.role === 'READER' && u.email && !ownerEmails.has(u.email.toLowerCase()),
  );
  for (const person of org.people)
    if (
      reader?.email &&
      !ownerEmails.has(person.email.toLowerCase()) &&
      person.email !== reader.email
    )
      org.google.setManager(person.email, reader.email);
}
