import {
  DescribeAnalysisPermissionsCommand,
  DescribeDashboardPermissionsCommand,
  DescribeDataSetPermissionsCommand,
  DescribeDataSourcePermissionsCommand,
  DescribeFolderPermissionsCommand,
  DescribeTemplatePermissionsCommand,
  DescribeThemePermissionsCommand,
  DescribeTopicPermissionsCommand,
  type QuickSightClient,
  type ResourcePermission,
  UpdateAnalysisPermissionsCommand,
  UpdateDashboardPermissionsCommand,
  UpdateDataSetPermissionsCommand,
  UpdateDataSourcePermissionsCommand,
  UpdateFolderPermissionsCommand,
  UpdateTemplatePermissionsCommand,
  UpdateThemePermissionsCommand,
  UpdateTopicPermissionsCommand,
} from '@aws-sdk/client-quicksight';
import type { AssetType } from '../asset-owner-actions.js';

/**
 * The per-type permission calls of the asset handover (./quicksight-assets.ts): each asset type
 * has its own Update*Permissions and Describe*Permissions command and id field.
 */

type Asset = { readonly type: AssetType; readonly id: string };

/** `Update<Type>Permissions` granting `Grant` on the asset. */
export function sendGrant(
  client: QuickSightClient,
  accountId: string,
  asset: Asset,
  Grant: ResourcePermission[],
) {
  switch (asset.type) {
    case 'dashboard':
      return client.send(
        new UpdateDashboardPermissionsCommand({
          AwsAccountId: accountId,
          DashboardId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'analysis':
      return client.send(
        new UpdateAnalysisPermissionsCommand({
          AwsAccountId: accountId,
          AnalysisId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'dataset':
      return client.send(
        new UpdateDataSetPermissionsCommand({
          AwsAccountId: accountId,
          DataSetId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'datasource':
      return client.send(
        new UpdateDataSourcePermissionsCommand({
          AwsAccountId: accountId,
          DataSourceId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'folder':
      return client.send(
        new UpdateFolderPermissionsCommand({
          AwsAccountId: accountId,
          FolderId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'theme':
      return client.send(
        new UpdateThemePermissionsCommand({
          AwsAccountId: accountId,
          ThemeId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'template':
      return client.send(
        new UpdateTemplatePermissionsCommand({
          AwsAccountId: accountId,
          TemplateId: asset.id,
          GrantPermissions: Grant,
        }),
      );
    case 'topic':
      return client.send(
        new UpdateTopicPermissionsCommand({
          AwsAccountId: accountId,
          TopicId: asset.id,
          GrantPermissions: Grant,
        }),
      );
  }
}

/** `Describe<Type>Permissions` of the asset. */
export function sendDescribePermissions(client: QuickSightClient, accountId: string, asset: Asset) {
  switch (asset.type) {
    case 'dashboard':
      return client.send(
        new DescribeDashboardPermissionsCommand({ AwsAccountId: accountId, DashboardId: asset.id }),
      );
    case 'analysis':
      return client.send(
        new DescribeAnalysisPermissionsCommand({ AwsAccountId: accountId, AnalysisId: asset.id }),
      );
    case 'dataset':
      return client.send(
        new DescribeDataSetPermissionsCommand({ AwsAccountId: accountId, DataSetId: asset.id }),
      );
    case 'datasource':
      return client.send(
        new DescribeDataSourcePermissionsCommand({
          AwsAccountId: accountId,
          DataSourceId: asset.id,
        }),
      );
    case 'folder':
      return client.send(
        new DescribeFolderPermissionsCommand({ AwsAccountId: accountId, FolderId: asset.id }),
      );
    case 'theme':
      return client.send(
        new DescribeThemePermissionsCommand({ AwsAccountId: accountId, ThemeId: asset.id }),
      );
    case 'template':
      return client.send(
        new DescribeTemplatePermissionsCommand({ AwsAccountId: accountId, TemplateId: asset.id }),
      );
    case 'topic':
      return client.send(
        new DescribeTopicPermissionsCommand({ AwsAccountId: accountId, TopicId: asset.id }),
      );
  }
}
