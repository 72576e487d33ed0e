import {
  DescribeUserCommand,
  ListTemplatesCommand,
  ListThemesCommand,
  ListTopicsCommand,
  type QuickSightClient,
  type ResourcePermission,
  SearchAnalysesCommand,
  SearchDashboardsCommand,
  SearchDataSetsCommand,
  SearchDataSourcesCommand,
  SearchFoldersCommand,
} from '@aws-sdk/client-quicksight';
import {
  type AssetPermission,
  type AssetType,
  isOwnerEntry,
  isSoleOwner,
  OWNER_ACTIONS,
  SEARCHABLE_ASSET_TYPES,
} from '../asset-owner-actions.js';
import { sendDescribePermissions, sendGrant } from './asset-permission-calls.js';
import {
  type AwsRetryOptions,
  callWithRetry,
  classifyAwsError,
  isAwsError,
  isResourceNotFound,
} from './aws-errors.js';

/**
 * What a QuickSight user owns alone, and the grant that hands it to a successor, over the real
 * QuickSight client (one account): the asset half of the handover before a deletion or a
 * downgrade (services/removals/handover/).
 *
 * `soleOwned` runs the five searches (SearchDashboards, SearchAnalyses, SearchDataSets,
 * SearchDataSources, SearchFolders) with DIRECT_QUICKSIGHT_SOLE_OWNER = the user's ARN, paged,
 * and for themes, templates and topics (no search) lists them and reads each one's permissions.
 * `owned` also runs the five searches with DIRECT_QUICKSIGHT_OWNER (owned directly, shared or
 * not) and reads the permissions of what they find beyond the sole-owner results (the shared
 * assets, whose other owners may be gone): with no shared asset, five searches more than
 * `soleOwned`.
 * The searches are eventually consistent: a result is only a candidate, `grantOwner` is harmless
 * when the grant is already there, and `permissions` (Describe*Permissions, consistent) is the
 * judge of a handover. Every call is retried at this one layer (throttling, 5xx, resets) with
 * the shared back-off; `pacer` paces them and hears each outcome (QuickSight's rate limits).
 */

const SERVICE = 'QuickSight';
const PAGE = 100;
/** Owned by the user alone. */
const SOLE_FILTER = 'DIRECT_QUICKSIGHT_SOLE_OWNER';
/** Owned by the user directly (not through a group), alone or with others. */
const OWNER_FILTER = 'DIRECT_QUICKSIGHT_OWNER';
type SearchFilter = typeof SOLE_FILTER | typeof OWNER_FILTER;
const LISTED_TYPES = ['theme', 'template', 'topic'] as const;

export interface OwnedAsset {
  readonly type: AssetType;
  readonly id: string;
  readonly name?: string;
  readonly arn: string;
}

/** The QuickSight user a successor name resolves to (DescribeUser), or none. */
export interface SuccessorUser {
  readonly userName: string;
  readonly arn: string;
  readonly role: string;
}

/** An asset a user owns with other owners, and its permissions as read (Describe*Permissions). */
export interface SharedAsset extends OwnedAsset {
  readonly permissions: readonly AssetPermission[];
}

/** What a user owns: alone (`sole`), and with other owners (`shared`, with the permissions). */
export interface Ownership {
  readonly sole: OwnedAsset[];
  readonly shared: SharedAsset[];
}

/** The port the handover and the plan use (a fake in unit tests, this adapter in production). */
export interface AssetOwnership {
  soleOwned(userArn: string): Promise<OwnedAsset[]>;
  /** What the user owns alone and with others (the handover's view; see `QuickSightAssets.owned`). */
  owned(userArn: string): Promise<Ownership>;
  grantOwner(asset: OwnedAsset, principal: string): Promise<void>;
  permissions(asset: OwnedAsset): Promise<AssetPermission[]>;
  describeUser(userName: string): Promise<SuccessorUser | undefined>;
  /** The same port with every call paced by `pacer` (the worker's, shared with DeleteUser). */
  withPacer?(pacer: CallPacer): AssetOwnership;
}

/** The worker's pacer contract (services/removals/worker/pacing/call-pacing.ts): one outcome per call. */
export interface CallPacer {
  acquire(): Promise<number>;
  onSuccess(): void;
  onThrottle(retryAfterMs: number | undefined, startedAt: number): void;
  onError(): void;
}

export interface QuickSightAssetsOptions extends AwsRetryOptions {
  /** Paces every call and hears its outcome (QuickSight's rate limits are shared with DeleteUser). */
  readonly pacer?: CallPacer;
}

type Page = { items: OwnedAsset[]; next?: string | undefined };
type Summary = { Arn?: string; Name?: string } & Record<string, unknown>;

export class QuickSightAssets implements AssetOwnership {
  constructor(
    private readonly client: QuickSightClient,
    private readonly accountId: string,
    private readonly namespace: string,
    private readonly options: QuickSightAssetsOptions = {},
  ) {}

  withPacer(pacer: CallPacer): QuickSightAssets {
    return new QuickSightAssets(this.client, this.accountId, this.namespace, {
      ...this.options,
      pacer,
    });
  }

  async soleOwned(userArn: string): Promise<OwnedAsset[]> {
    // The eight listings at once (each paged in order): a handover waits for the slowest, not the sum.
    const searched = SEARCHABLE_ASSET_TYPES.map((type) =>
      this.pages(`Search ${type}`, (t) => this.search(type, SOLE_FILTER, userArn, t)),
    );
    const listed = LISTED_TYPES.map((type) => this.listedOwned(type, userArn));
    const found = await Promise.all([...searched, ...listed.map(async (l) => (await l).sole)]);
    return found.flat();
  }

  async owned(userArn: string): Promise<Ownership> {
    // The thirteen listings at once, as in soleOwned; then the shared finds' permissions.
    const sole = SEARCHABLE_ASSET_TYPES.map((type) =>
      this.pages(`Search ${type}`, (t) => this.search(type, SOLE_FILTER, userArn, t)),
    );
    const any = SEARCHABLE_ASSET_TYPES.map((type) =>
      this.pages(`Search ${type} owner`, (t) => this.search(type, OWNER_FILTER, userArn, t)),
    );
    const listed = LISTED_TYPES.map((type) => this.listedOwned(type, userArn));
    const [soles, anys, lists] = await Promise.all([
      Promise.all(sole),
      Promise.all(any),
      Promise.all(listed),
    ]);
    const soleFound = soles.flat();
    const soleKeys = new Set(soleFound.map((a) => `${a.type}/${a.id}`));
    const candidates = anys.flat().filter((a) => !soleKeys.has(`${a.type}/${a.id}`));
    const shared: SharedAsset[] = await Promise.all(
      candidates.map(async (a) => ({ ...a, permissions: await this.permissions(a) })),
    );
    return {
      sole: [...soleFound, ...lists.flatMap((l) => l.sole)],
      shared: [...shared, ...lists.flatMap((l) => l.shared)],
    };
  }

  /** A type without a search: each asset's permissions read once, sorted into sole and shared. */
  private async listedOwned(type: (typeof LISTED_TYPES)[number], userArn: string) {
    const all = await this.pages(`List ${type}`, (t) => this.list(type, t));
    const sole: OwnedAsset[] = [];
    const shared: SharedAsset[] = [];
    for (const asset of all) {
      const permissions = await this.permissions(asset);
      if (isSoleOwner(type, permissions, userArn)) sole.push(asset);
      else if (permissions.some((p) => p.principal === userArn && isOwnerEntry(type, p.actions)))
        shared.push({ ...asset, permissions });
    }
    return { sole, shared };
  }

  async grantOwner(asset: OwnedAsset, principal: string): Promise<void> {
    const Grant: ResourcePermission[] = [
      { Principal: principal, Actions: [...OWNER_ACTIONS[asset.type]] },
    ];
    const a = this.accountId;
    await this.call(`Update${opName(asset.type)}Permissions`, () =>
      sendGrant(this.client, a, asset, Grant),
    );
  }

  async permissions(asset: OwnedAsset): Promise<AssetPermission[]> {
    const a = this.accountId;
    const c = this.client;
    const out = await this.call(`Describe${opName(asset.type)}Permissions`, () =>
      sendDescribePermissions(c, a, asset),
    );
    return (out.Permissions ?? []).map((p) => ({
      principal: p.Principal ?? '',
      actions: p.Actions ?? [],
    }));
  }

  async describeUser(userName: string): Promise<SuccessorUser | undefined> {
    try {
      const out = await this.call('DescribeUser', () =>
        this.client.send(
          new DescribeUserCommand({
            AwsAccountId: this.accountId,
            Namespace: this.namespace,
            UserName: userName,
          }),
        ),
      );
      const u = out.User;
      if (!u?.Arn) return undefined;
      return { userName: u.UserName ?? userName, arn: u.Arn, role: u.Role ?? 'UNKNOWN' };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (isAwsError(cause, 'QuickSightUserNotFoundException') || isResourceNotFound(cause, 'USER'))
        return undefined;
      throw error;
    }
  }

  private async pages(operation: string, fetch: (token?: string) => Promise<Page>) {
    const out: OwnedAsset[] = [];
    let token: string | undefined;
    let n = 0;
    do {
      n++;
      const page = await this.call(`${operation} page ${n}`, () => fetch(token));
      out.push(...page.items);
      token = page.next || undefined;
    } while (token);
    return out;
  }

  private async search(
    type: AssetType,
    filter: SearchFilter,
    userArn: string,
    token?: string,
  ): Promise<Page> {
    const a = this.accountId;
    const c = this.client;
    const f = { Operator: 'StringEquals', Name: filter, Value: userArn };
    const base = { AwsAccountId: a, MaxResults: PAGE, ...(token ? { NextToken: token } : {}) };
    switch (type) {
      case 'dashboard': {
        const o = await c.send(new SearchDashboardsCommand({ ...base, Filters: [f] } as never));
        return pageOf(type, o.DashboardSummaryList, 'DashboardId', o.NextToken);
      }
      case 'analysis': {
        const o = await c.send(new SearchAnalysesCommand({ ...base, Filters: [f] } as never));
        return pageOf(type, o.AnalysisSummaryList, 'AnalysisId', o.NextToken);
      }
      case 'dataset': {
        const o = await c.send(new SearchDataSetsCommand({ ...base, Filters: [f] } as never));
        return pageOf(type, o.DataSetSummaries, 'DataSetId', o.NextToken);
      }
      case 'datasource': {
        const o = await c.send(new SearchDataSourcesCommand({ ...base, Filters: [f] } as never));
        return pageOf(type, o.DataSourceSummaries, 'DataSourceId', o.NextToken);
      }
      case 'folder': {
        const o = await c.send(new SearchFoldersCommand({ ...base, Filters: [f] } as never));
        return pageOf(type, o.FolderSummaryList, 'FolderId', o.NextToken);
      }
      default:
        throw new Error(`${type} has no search`);
    }
  }

  private async list(type: 'theme' | 'template' | 'topic', token?: string): Promise<Page> {
    const base = { AwsAccountId: this.accountId, MaxResults: PAGE, NextToken: token };
    const c = this.client;
    if (type === 'theme') {
      const o = await c.send(new ListThemesCommand({ ...base, Type: 'CUSTOM' }));
      return pageOf(type, o.ThemeSummaryList, 'ThemeId', o.NextToken);
    }
    if (type === 'template') {
      const o = await c.send(new ListTemplatesCommand(base));
      return pageOf(type, o.TemplateSummaryList, 'TemplateId', o.NextToken);
    }
    const o = await c.send(new ListTopicsCommand(base));
    return pageOf(type, o.TopicsSummaries, 'TopicId', o.NextToken);
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return callWithRetry(
      SERVICE,
      operation,
      async () => {
        const pacer = this.options.pacer;
        if (!pacer) return send();
        const startedAt = await pacer.acquire();
        try {
          const out = await send();
          pacer.onSuccess();
          return out;
        } catch (error) {
          const info = classifyAwsError(error);
          if (info.throttled) pacer.onThrottle(info.retryAfterMs, startedAt);
          else if (info.retryable) pacer.onError();
          else pacer.onSuccess();
          throw error;
        }
      },
      this.options,
    );
  }
}

function pageOf(
  type: AssetType,
  list: readonly object[] | undefined,
  idMember: string,
  next: string | undefined,
): Page {
  const items = (list ?? []).map((raw) => {
    const s = raw as Summary;
    const id = String(s[idMember] ?? '');
    return { type, id, arn: s.Arn ?? '', ...(s.Name !== undefined ? { name: s.Name } : {}) };
  });
  return { items, next };
}

const OP_NAMES: Readonly<Record<AssetType, string>> = {
  dashboard: 'Dashboard',
  analysis: 'Analysis',
  dataset: 'DataSet',
  datasource: 'DataSource',
  folder: 'Folder',
  theme: 'Theme',
  template: 'Template',
  topic: 'Topic',
};

function opName(type: AssetType): string {
  return OP_NAMES[type];
}
