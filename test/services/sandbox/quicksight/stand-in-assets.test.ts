import {
  DeleteUserCommand,
  DescribeDashboardPermissionsCommand,
  DescribeTopicPermissionsCommand,
  InvalidParameterValueException,
  ListTemplatesCommand,
  ListThemesCommand,
  ListTopicsCommand,
  ResourceNotFoundException,
  SearchAnalysesCommand,
  SearchDashboardsCommand,
  SearchDataSetsCommand,
  SearchDataSourcesCommand,
  SearchFoldersCommand,
  UpdateDashboardPermissionsCommand,
  UpdateDataSetPermissionsCommand,
  UpdateTopicPermissionsCommand,
} from '@aws-sdk/client-quicksight';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASSET_TYPE_SPECS } from '../../../../services/sandbox/quicksight/asset-types.js';
import {
  ACCOUNT_ID,
  NAMESPACE,
  type QuickSightFixture,
  startQuickSightFixture,
} from '../../../helpers/aws-sandbox.js';

/**
 * The QuickSight stand-in's assets (services/sandbox/quicksight/asset-operations.ts) through the
 * real SDK client: sole-owner search, paging, eventual consistency, permission updates, the
 * types without a search, and what deleting a user leaves behind.
 */

const account = { AwsAccountId: ACCOUNT_ID };
const OWNER = ASSET_TYPE_SPECS.dashboard.ownerActions;
const VIEWER = ['quicksight:DescribeDashboard', 'quicksight:QueryDashboard'];

describe('QuickSight stand-in: assets', () => {
  let qs: QuickSightFixture;
  let ann: string;
  let bob: string;
  let successor: string;
  beforeEach(async () => {
    qs = await startQuickSightFixture();
    const user = (userName: string) =>
      qs.state.register({
        userName,
        email: `${userName}@example.com`,
        role: 'AUTHOR',
        identityType: 'QUICKSIGHT',
      }).arn;
    ann = user('ann');
    bob = user('bob');
    successor = user('successor');
    const a = qs.state.assets;
    for (let i = 1; i <= 5; i++)
      a.add('dashboard', `d${i}`, `Sales ${i}`, [{ principal: ann, actions: OWNER }]);
    // Shared with a co-owner, and one Ann only views.
    a.add('dashboard', 'd6', 'Shared', [
      { principal: ann, actions: OWNER },
      { principal: bob, actions: OWNER },
    ]);
    a.add('dashboard', 'd7', 'Viewed', [
      { principal: bob, actions: OWNER },
      { principal: ann, actions: VIEWER },
    ]);
    a.add('analysis', 'a1', 'Draft', [
      { principal: ann, actions: ASSET_TYPE_SPECS.analysis.ownerActions },
    ]);
    a.add('dataset', 's1', 'Orders', [
      { principal: ann, actions: ASSET_TYPE_SPECS.dataset.ownerActions },
    ]);
    a.add('datasource', 'src1', 'Warehouse', [
      { principal: ann, actions: ASSET_TYPE_SPECS.datasource.ownerActions },
    ]);
    a.add('folder', 'f1', 'Team', [
      { principal: ann, actions: ASSET_TYPE_SPECS.folder.ownerActions },
    ]);
    a.add('theme', 't1', 'Dark', [
      { principal: ann, actions: ASSET_TYPE_SPECS.theme.ownerActions },
    ]);
    a.add('template', 'tp1', 'Monthly', [
      { principal: ann, actions: ASSET_TYPE_SPECS.template.ownerActions },
    ]);
    a.add('topic', 'q1', 'Revenue', [
      { principal: ann, actions: ASSET_TYPE_SPECS.topic.ownerActions },
    ]);
  });
  afterEach(() => qs.close());

  const soleOwner = (arn: string) => [
    {
      Operator: 'StringEquals' as const,
      Name: 'DIRECT_QUICKSIGHT_SOLE_OWNER' as const,
      Value: arn,
    },
  ];

  it('finds what a user owns alone, paged by MaxResults and NextToken; co-owned and viewed assets are not', async () => {
    const ids: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await qs.client.send(
        new SearchDashboardsCommand({
          ...account,
          Filters: soleOwner(ann),
          MaxResults: 2,
          NextToken,
        }),
      );
      pages++;
      expect(page.DashboardSummaryList?.length).toBeLessThanOrEqual(2);
      ids.push(...(page.DashboardSummaryList ?? []).map((d) => d.DashboardId ?? ''));
      expect(page.DashboardSummaryList?.[0]?.Arn).toMatch(
        /^arn:aws:quicksight:[^:]+:\d{12}:dashboard\//,
      );
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toBe(3);
    expect(ids).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    const owned = await qs.client.send(
      new SearchDashboardsCommand({
        ...account,
        Filters: [{ Operator: 'StringEquals', Name: 'QUICKSIGHT_OWNER', Value: ann }],
      }),
    );
    expect(owned.DashboardSummaryList?.map((d) => d.DashboardId)).toEqual([
      'd1',
      'd2',
      'd3',
      'd4',
      'd5',
      'd6',
    ]);
    expect(
      (
        await qs.client.send(new SearchAnalysesCommand({ ...account, Filters: soleOwner(ann) }))
      ).AnalysisSummaryList?.map((x) => x.AnalysisId),
    ).toEqual(['a1']);
    expect(
      (
        await qs.client.send(new SearchDataSetsCommand({ ...account, Filters: soleOwner(ann) }))
      ).DataSetSummaries?.map((x) => x.DataSetId),
    ).toEqual(['s1']);
    expect(
      (
        await qs.client.send(new SearchDataSourcesCommand({ ...account, Filters: soleOwner(ann) }))
      ).DataSourceSummaries?.map((x) => x.DataSourceId),
    ).toEqual(['src1']);
    expect(
      (
        await qs.client.send(new SearchFoldersCommand({ ...account, Filters: soleOwner(ann) }))
      ).FolderSummaryList?.map((x) => x.FolderId),
    ).toEqual(['f1']);
  });

  it('grants and revokes with Update*Permissions; search sees it only after the configured lag', async () => {
    qs.state.assets.searchLag = 2;
    const updated = await qs.client.send(
      new UpdateDashboardPermissionsCommand({
        ...account,
        DashboardId: 'd1',
        GrantPermissions: [{ Principal: successor, Actions: [...OWNER] }],
      }),
    );
    expect(updated.Permissions?.map((p) => p.Principal).sort()).toEqual([ann, successor].sort());
    const described = await qs.client.send(
      new DescribeDashboardPermissionsCommand({ ...account, DashboardId: 'd1' }),
    );
    expect(described).toMatchObject({
      DashboardId: 'd1',
      DashboardArn: qs.state.assets.arnOf('dashboard', 'd1'),
    });
    expect(described.Permissions?.find((p) => p.Principal === successor)?.Actions?.sort()).toEqual(
      [...OWNER].sort(),
    );
    const search = async () =>
      (
        await qs.client.send(new SearchDashboardsCommand({ ...account, Filters: soleOwner(ann) }))
      ).DashboardSummaryList?.map((d) => d.DashboardId);
    // Eventually consistent: the first search still lists d1 as Ann's alone, the second does not.
    expect(await search()).toContain('d1');
    expect(await search()).not.toContain('d1');
    await qs.client.send(
      new UpdateDataSetPermissionsCommand({
        ...account,
        DataSetId: 's1',
        RevokePermissions: [{ Principal: ann, Actions: ['quicksight:UpdateDataSetPermissions'] }],
      }),
    );
    expect(qs.state.assets.permissionsOf('dataset', 's1')[0]?.actions).not.toContain(
      'quicksight:UpdateDataSetPermissions',
    );
  });

  it('refuses a grant to a principal that does not exist, and 404s an unknown asset', async () => {
    const ghost = qs.state.arnOf('ghost');
    await expect(
      qs.client.send(
        new UpdateDashboardPermissionsCommand({
          ...account,
          DashboardId: 'd1',
          GrantPermissions: [{ Principal: ghost, Actions: [...OWNER] }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      qs.client.send(new DescribeDashboardPermissionsCommand({ ...account, DashboardId: 'nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      qs.client.send(
        new SearchDashboardsCommand({
          ...account,
          Filters: [{ Operator: 'StringLike', Name: 'DIRECT_QUICKSIGHT_SOLE_OWNER', Value: ann }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('lists themes, templates and topics; their permissions are read and updated like the others', async () => {
    expect(
      (await qs.client.send(new ListThemesCommand(account))).ThemeSummaryList?.[0],
    ).toMatchObject({
      ThemeId: 't1',
      Name: 'Dark',
    });
    expect(
      (await qs.client.send(new ListTemplatesCommand(account))).TemplateSummaryList?.[0]
        ?.TemplateId,
    ).toBe('tp1');
    expect(
      (await qs.client.send(new ListTopicsCommand(account))).TopicsSummaries?.[0]?.TopicId,
    ).toBe('q1');
    await qs.client.send(
      new UpdateTopicPermissionsCommand({
        ...account,
        TopicId: 'q1',
        GrantPermissions: [
          { Principal: successor, Actions: [...ASSET_TYPE_SPECS.topic.ownerActions] },
        ],
      }),
    );
    const topic = await qs.client.send(
      new DescribeTopicPermissionsCommand({ ...account, TopicId: 'q1' }),
    );
    expect(topic.Permissions?.map((p) => p.Principal).sort()).toEqual([ann, successor].sort());
  });

  it('deleting a user leaves its entries: what it owned alone has no living owner; co-owned assets keep theirs', async () => {
    expect(qs.state.assets.orphaned()).toEqual([]);
    await qs.client.send(
      new DeleteUserCommand({ ...account, Namespace: NAMESPACE, UserName: 'ann' }),
    );
    const orphaned = qs.state.assets
      .orphaned()
      .map((a) => `${a.type}/${a.id}`)
      .sort();
    expect(orphaned).toEqual(
      [
        'analysis/a1',
        'dashboard/d1',
        'dashboard/d2',
        'dashboard/d3',
        'dashboard/d4',
        'dashboard/d5',
        'dataset/s1',
        'datasource/src1',
        'folder/f1',
        'template/tp1',
        'theme/t1',
        'topic/q1',
      ].sort(),
    );
    // No asset clean-up: ann's entries stay. Bob is d6's one living owner, yet the sole-owner
    // search still counts ann, so it does not find d6.
    expect(qs.state.assets.permissionsOf('dashboard', 'd6').map((p) => p.principal)).toEqual([
      ann,
      bob,
    ]);
    expect(qs.state.assets.livingOwners('dashboard', 'd6')).toEqual([bob]);
    expect(qs.state.assets.soleOwned(bob).map((a) => a.id)).toEqual(['d7']);
    expect(
      qs.state.assets
        .onlyLivingOwner(bob)
        .map((a) => a.id)
        .sort(),
    ).toEqual(['d6', 'd7']);
  });
});
