/**
 * The QuickSight asset types the stand-in serves, with their wire names as the SDK's model has
 * them (@aws-sdk/client-quicksight): the path collection, the id and ARN members of the
 * Describe/Update*Permissions answers, the summary list of Search* or List*, and the owner action
 * set the console grants an owner. Dashboards, analyses, datasets, data sources and folders have a
 * Search*; themes, templates and topics only a List*. Pure data.
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

export interface AssetTypeSpec {
  /** Path segment: `/accounts/{id}/<collection>/{assetId}/permissions`. */
  readonly collection: string;
  /** Id member of the permissions answers and summaries (`DashboardId`). */
  readonly idMember: string;
  /** ARN member of the permissions answers (`DashboardArn`; `Arn` for folders). */
  readonly arnMember: string;
  /** ARN resource word: `arn:aws:quicksight:<region>:<account>:<word>/<id>`. */
  readonly arnWord: string;
  /** `/accounts/{id}/search/<search>` and its answer's list member, when the type has a search. */
  readonly search?: { readonly path: string; readonly listMember: string };
  /** `GET /accounts/{id}/<collection>` and its list member, for types without a search. */
  readonly listMember?: string;
  /** The owner actions; holding the permissions-update action (the first) makes an owner. */
  readonly ownerActions: readonly string[];
}

const q = (actions: string[]) => actions.map((a) => `quicksight:${a}`);

export const ASSET_TYPE_SPECS: Readonly<Record<AssetType, AssetTypeSpec>> = {
  dashboard: {
    collection: 'dashboards',
    idMember: 'DashboardId',
    arnMember: 'DashboardArn',
    arnWord: 'dashboard',
    search: { path: 'dashboards', listMember: 'DashboardSummaryList' },
    ownerActions: q([
      'UpdateDashboardPermissions',
      'DescribeDashboard',
      'ListDashboardVersions',
      'QueryDashboard',
      'UpdateDashboard',
      'DeleteDashboard',
      'DescribeDashboardPermissions',
      'UpdateDashboardPublishedVersion',
    ]),
  },
  analysis: {
    collection: 'analyses',
    idMember: 'AnalysisId',
    arnMember: 'AnalysisArn',
    arnWord: 'analysis',
    search: { path: 'analyses', listMember: 'AnalysisSummaryList' },
    ownerActions: q([
      'UpdateAnalysisPermissions',
      'RestoreAnalysis',
      'DeleteAnalysis',
      'DescribeAnalysisPermissions',
      'QueryAnalysis',
      'DescribeAnalysis',
      'UpdateAnalysis',
    ]),
  },
  dataset: {
    collection: 'data-sets',
    idMember: 'DataSetId',
    arnMember: 'DataSetArn',
    arnWord: 'dataset',
    search: { path: 'data-sets', listMember: 'DataSetSummaries' },
    ownerActions: q([
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
  },
  datasource: {
    collection: 'data-sources',
    idMember: 'DataSourceId',
    arnMember: 'DataSourceArn',
    arnWord: 'datasource',
    search: { path: 'data-sources', listMember: 'DataSourceSummaries' },
    ownerActions: q([
      'UpdateDataSourcePermissions',
      'DescribeDataSource',
      'DescribeDataSourcePermissions',
      'PassDataSource',
      'UpdateDataSource',
      'DeleteDataSource',
    ]),
  },
  folder: {
    collection: 'folders',
    idMember: 'FolderId',
    arnMember: 'Arn',
    arnWord: 'folder',
    search: { path: 'folders', listMember: 'FolderSummaryList' },
    ownerActions: q([
      'UpdateFolderPermissions',
      'CreateFolder',
      'DescribeFolder',
      'UpdateFolder',
      'DeleteFolder',
      'CreateFolderMembership',
      'DeleteFolderMembership',
      'DescribeFolderPermissions',
    ]),
  },
  theme: {
    collection: 'themes',
    idMember: 'ThemeId',
    arnMember: 'ThemeArn',
    arnWord: 'theme',
    listMember: 'ThemeSummaryList',
    ownerActions: q([
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
  },
  template: {
    collection: 'templates',
    idMember: 'TemplateId',
    arnMember: 'TemplateArn',
    arnWord: 'template',
    listMember: 'TemplateSummaryList',
    ownerActions: q([
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
  },
  topic: {
    collection: 'topics',
    idMember: 'TopicId',
    arnMember: 'TopicArn',
    arnWord: 'topic',
    listMember: 'TopicsSummaries',
    ownerActions: q([
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
  },
};

/** Whether a permission entry's actions make its principal an owner of an asset of this type. */
export function isOwnerEntry(type: AssetType, actions: Iterable<string>): boolean {
  const key = ASSET_TYPE_SPECS[type].ownerActions[0];
  for (const a of actions) if (a === key) return true;
  return false;
}

export function assetTypeOfCollection(collection: string): AssetType | undefined {
  return ASSET_TYPES.find((t) => ASSET_TYPE_SPECS[t].collection === collection);
}

export function assetTypeOfSearch(path: string): AssetType | undefined {
  return ASSET_TYPES.find((t) => ASSET_TYPE_SPECS[t].search?.path === path);
}
