/**
 * The QuickSight asset types a user can own and the owner action set of each, as QuickSight's
 * console grants an owner (the API reference's permission examples): holding the type's
 * permissions-update action (the first of the set) makes a principal an owner. Dashboards,
 * analyses, datasets, data sources and folders have a `Search*` that finds what a user owns
 * alone (DIRECT_QUICKSIGHT_SOLE_OWNER); themes, templates and topics only a `List*`, so their
 * owners are read from `Describe*Permissions`. Pure data and rules.
 */

export const ASSET_TYPES = [
  'dashboard',
  'analysis',
  'dataset',
  'datasource',
  'folder',
  'theme',
  'template',
  'topic',
] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** The types with a `Search*` (the others are listed and their permissions read). */
export const SEARCHABLE_ASSET_TYPES = [
  'dashboard',
  'analysis',
  'dataset',
  'datasource',
  'folder',
] as const satisfies readonly AssetType[];

const q = (actions: string[]) => actions.map((a) => `quicksight:${a}`);

/** The owner action set of each type; the first is the permissions update that makes an owner. */
export const OWNER_ACTIONS: Readonly<Record<AssetType, readonly string[]>> = {
  dashboard: q([
    'UpdateDashboardPermissions',
    'DescribeDashboard',
    'ListDashboardVersions',
    'QueryDashboard',
    'UpdateDashboard',
    'DeleteDashboard',
    'DescribeDashboardPermissions',
    'UpdateDashboardPublishedVersion',
  ]),
  analysis: q([
    'UpdateAnalysisPermissions',
    'RestoreAnalysis',
    'DeleteAnalysis',
    'DescribeAnalysisPermissions',
    'QueryAnalysis',
    'DescribeAnalysis',
    'UpdateAnalysis',
  ]),
  dataset: q([
    'UpdateDataSetPermissions',
    'DescribeDataSet',
    'DescribeDataSetPermissions',
    'PassDataSet',
    'DescribeIngestion',
    'ListIngestions',
    'UpdateDataSet',
    'DeleteDataSet',
    'CreateIngestion',
    'CancelIngestion',
  ]),
  datasource: q([
    'UpdateDataSourcePermissions',
    'DescribeDataSource',
    'DescribeDataSourcePermissions',
    'PassDataSource',
    'UpdateDataSource',
    'DeleteDataSource',
  ]),
  folder: q([
    'UpdateFolderPermissions',
    'CreateFolder',
    'DescribeFolder',
    'UpdateFolder',
    'DeleteFolder',
    'CreateFolderMembership',
    'DeleteFolderMembership',
    'DescribeFolderPermissions',
  ]),
  theme: q([
    'UpdateThemePermissions',
    'ListThemeVersions',
    'UpdateThemeAlias',
    'DescribeThemeAlias',
    'DeleteThemeAlias',
    'DeleteTheme',
    'ListThemeAliases',
    'DescribeTheme',
    'CreateThemeAlias',
    'UpdateTheme',
    'DescribeThemePermissions',
  ]),
  template: q([
    'UpdateTemplatePermissions',
    'DescribeTemplate',
    'DescribeTemplateAlias',
    'ListTemplateAliases',
    'ListTemplateVersions',
    'CreateTemplateAlias',
    'UpdateTemplateAlias',
    'DeleteTemplateAlias',
    'UpdateTemplate',
    'DescribeTemplatePermissions',
    'DeleteTemplate',
  ]),
  topic: q([
    'UpdateTopicPermissions',
    'DescribeTopic',
    'DescribeTopicRefresh',
    'ListTopicRefreshSchedules',
    'DescribeTopicPermissions',
    'DeleteTopic',
    'UpdateTopic',
    'CreateTopicRefreshSchedule',
    'UpdateTopicRefreshSchedule',
    'DeleteTopicRefreshSchedule',
  ]),
};

/** Whether a permission entry's actions make its principal an owner of an asset of this type. */
export function isOwnerEntry(type: AssetType, actions: Iterable<string>): boolean {
  const key = OWNER_ACTIONS[type][0];
  for (const a of actions) if (a === key) return true;
  return false;
}

/** One permission entry: a principal ARN and its actions. */
export interface AssetPermission {
  readonly principal: string;
  readonly actions: readonly string[];
}

/** Whether `principal` is the only owner among `permissions` (the sole-owner rule of Search*). */
export function isSoleOwner(
  type: AssetType,
  permissions: readonly AssetPermission[],
  principal: string,
): boolean {
  const owners = permissions.filter((p) => isOwnerEntry(type, p.actions));
  return owners.length === 1 && owners[0]?.principal === principal;
}

/** Whether `principal` holds the whole owner action set of the type (a verified handover). */
export function holdsOwnerActions(
  type: AssetType,
  permissions: readonly AssetPermission[],
  principal: string,
): boolean {
  const held = new Set(
    permissions.filter((p) => p.principal === principal).flatMap((p) => p.actions),
  );
  return OWNER_ACTIONS[type].every((a) => held.has(a));
}

const PLURALS: Readonly<Record<AssetType, [string, string]>> = {
  dashboard: ['dashboard', 'dashboards'],
  analysis: ['analysis', 'analyses'],
  dataset: ['dataset', 'datasets'],
  datasource: ['data source', 'data sources'],
  folder: ['folder', 'folders'],
  theme: ['theme', 'themes'],
  template: ['template', 'templates'],
  topic: ['topic', 'topics'],
};

/** "3 dashboards, 2 datasets": counts per type in ASSET_TYPES order; "nothing" for none. */
export function ownedCountsText(assets: readonly { readonly type: AssetType }[]): string {
  const parts: string[] = [];
  for (const type of ASSET_TYPES) {
    const n = assets.filter((a) => a.type === type).length;
    if (n > 0) parts.push(`${n} ${PLURALS[type][n === 1 ? 0 : 1]}`);
  }
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}
