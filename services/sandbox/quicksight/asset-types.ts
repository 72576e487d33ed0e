import {
  ASSET_TYPES,
  type AssetType,
  isOwnerEntry,
  OWNER_ACTIONS,
} from '../../../shared/asset-owner-actions.js';

/**
 * The QuickSight asset types the stand-in serves, with their wire names as the SDK's model has
 * them (@aws-sdk/client-quicksight): the path collection, the id and ARN members of the
 * Describe/Update*Permissions answers, the summary list of Search* or List*, and the owner action
 * set the console grants an owner. Dashboards, analyses, datasets, data sources and folders have a
 * Search*; themes, templates and topics only a List*. Pure data.
 */

export { ASSET_TYPES, type AssetType, isOwnerEntry };

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

export const ASSET_TYPE_SPECS: Readonly<Record<AssetType, AssetTypeSpec>> = {
  dashboard: {
    collection: 'dashboards',
    idMember: 'DashboardId',
    arnMember: 'DashboardArn',
    arnWord: 'dashboard',
    search: { path: 'dashboards', listMember: 'DashboardSummaryList' },
    ownerActions: OWNER_ACTIONS.dashboard,
  },
  analysis: {
    collection: 'analyses',
    idMember: 'AnalysisId',
    arnMember: 'AnalysisArn',
    arnWord: 'analysis',
    search: { path: 'analyses', listMember: 'AnalysisSummaryList' },
    ownerActions: OWNER_ACTIONS.analysis,
  },
  dataset: {
    collection: 'data-sets',
    idMember: 'DataSetId',
    arnMember: 'DataSetArn',
    arnWord: 'dataset',
    search: { path: 'data-sets', listMember: 'DataSetSummaries' },
    ownerActions: OWNER_ACTIONS.dataset,
  },
  datasource: {
    collection: 'data-sources',
    idMember: 'DataSourceId',
    arnMember: 'DataSourceArn',
    arnWord: 'datasource',
    search: { path: 'data-sources', listMember: 'DataSourceSummaries' },
    ownerActions: OWNER_ACTIONS.datasource,
  },
  folder: {
    collection: 'folders',
    idMember: 'FolderId',
    arnMember: 'Arn',
    arnWord: 'folder',
    search: { path: 'folders', listMember: 'FolderSummaryList' },
    ownerActions: OWNER_ACTIONS.folder,
  },
  theme: {
    collection: 'themes',
    idMember: 'ThemeId',
    arnMember: 'ThemeArn',
    arnWord: 'theme',
    listMember: 'ThemeSummaryList',
    ownerActions: OWNER_ACTIONS.theme,
  },
  template: {
    collection: 'templates',
    idMember: 'TemplateId',
    arnMember: 'TemplateArn',
    arnWord: 'template',
    listMember: 'TemplateSummaryList',
    ownerActions: OWNER_ACTIONS.template,
  },
  topic: {
    collection: 'topics',
    idMember: 'TopicId',
    arnMember: 'TopicArn',
    arnWord: 'topic',
    listMember: 'TopicsSummaries',
    ownerActions: OWNER_ACTIONS.topic,
  },
};

export function assetTypeOfCollection(collection: string): AssetType | undefined {
  return ASSET_TYPES.find((t) => ASSET_TYPE_SPECS[t].collection === collection);
}

export function assetTypeOfSearch(path: string): AssetType | undefined {
  return ASSET_TYPES.find((t) => ASSET_TYPE_SPECS[t].search?.path === path);
}
