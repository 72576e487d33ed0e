import { decodePageToken, encodePageToken, FIRST_PAGE, type PageCursor } from '../http/paging.js';
import type { Reply } from '../http/reply.js';
import {
  type Asset,
  type PermissionEntry,
  type QuickSightAssets,
  SEARCH_FILTER_NAMES,
  type SearchFilterName,
} from '../state/quicksight-assets.js';
import { ASSET_TYPE_SPECS, type AssetType } from './asset-types.js';
import { errorReply, ok } from './wire.js';

/**
 * The QuickSight asset operations of the stand-in (./asset-types.ts names the wire members):
 * Search{Dashboards,Analyses,DataSets,DataSources,Folders} with one `StringEquals` filter on a
 * principal ARN (QUICKSIGHT_USER, QUICKSIGHT_OWNER, DIRECT_QUICKSIGHT_OWNER,
 * DIRECT_QUICKSIGHT_SOLE_OWNER), paged by MaxResults (1..100) and NextToken, eventually
 * consistent (QuickSightAssets.searchLag); Describe*Permissions and Update*Permissions
 * (GrantPermissions / RevokePermissions, principals that exist) for every type; ListThemes,
 * ListTemplates and ListTopics. Each returns the reply to send.
 */

export const ASSET_MAX_RESULTS = 100;

export type AssetRoute =
  | { readonly op: 'Search'; readonly type: AssetType }
  | { readonly op: 'DescribePermissions'; readonly type: AssetType; readonly id: string }
  | { readonly op: 'UpdatePermissions'; readonly type: AssetType; readonly id: string }
  | { readonly op: 'List'; readonly type: AssetType; readonly query: URLSearchParams };

export function performAssetOperation(
  assets: QuickSightAssets,
  principalExists: (arn: string) => boolean,
  route: AssetRoute,
  body: Buffer,
): Reply {
  const spec = ASSET_TYPE_SPECS[route.type];
  switch (route.op) {
    case 'Search':
      return search(assets, route.type, body);
    case 'List': {
      const max = route.query.get('max-results');
      return page(
        assets.list(route.type).sort(byId),
        spec.listMember ?? '',
        route.type,
        max === null ? undefined : Number(max),
        route.query.get('next-token') ?? undefined,
      );
    }
    case 'DescribePermissions': {
      const asset = assets.get(route.type, route.id);
      if (!asset) return notFound(route.type, route.id);
      return ok(permissionsAnswer(asset, assets.permissionsOf(route.type, route.id)));
    }
    case 'UpdatePermissions': {
      const asset = assets.get(route.type, route.id);
      if (!asset) return notFound(route.type, route.id);
      const parsed = parseJson(body) as { GrantPermissions?: unknown; RevokePermissions?: unknown };
      const grant = entriesOf(parsed?.GrantPermissions);
      const revoke = entriesOf(parsed?.RevokePermissions);
      if (grant === undefined || revoke === undefined)
        return errorReply(
          'InvalidParameterValueException',
          'GrantPermissions and RevokePermissions must be lists of { Principal, Actions }.',
        );
      const missing = grant.find((g) => !principalExists(g.principal));
      if (missing)
        return errorReply(
          'InvalidParameterValueException',
          `Principal ${missing.principal} is not a valid QuickSight user or group.`,
        );
      const after = assets.update(route.type, route.id, grant, revoke);
      return ok(permissionsAnswer(asset, after));
    }
  }
}

function search(assets: QuickSightAssets, type: AssetType, body: Buffer): Reply {
  const parsed = parseJson(body) as
    | { Filters?: unknown; MaxResults?: unknown; NextToken?: unknown }
    | undefined;
  const filters = Array.isArray(parsed?.Filters) ? parsed.Filters : [];
  const filter = filters[0] as { Operator?: unknown; Name?: unknown; Value?: unknown } | undefined;
  if (filters.length !== 1 || !filter)
    return errorReply('InvalidParameterValueException', 'Filters must hold exactly one filter.');
  if (filter.Operator !== 'StringEquals')
    return errorReply(
      'InvalidParameterValueException',
      `Operator ${String(filter.Operator)} is not supported for this filter; use StringEquals.`,
    );
  if (!(SEARCH_FILTER_NAMES as readonly unknown[]).includes(filter.Name))
    return errorReply(
      'InvalidParameterValueException',
      `Filter name ${String(filter.Name)} is not supported.`,
    );
  if (typeof filter.Value !== 'string' || !filter.Value.startsWith('arn:'))
    return errorReply('InvalidParameterValueException', 'Filter value must be a principal ARN.');
  const found = assets.search(type, filter.Name as SearchFilterName, filter.Value);
  const max = parsed?.MaxResults;
  return page(
    found,
    ASSET_TYPE_SPECS[type].search?.listMember ?? '',
    type,
    typeof max === 'number' ? max : undefined,
    typeof parsed?.NextToken === 'string' ? parsed.NextToken : undefined,
  );
}

/** One page of `items` (already in id order) after the token's last id. */
function page(
  items: readonly Asset[],
  listMember: string,
  type: AssetType,
  maxResults: number | undefined,
  token: string | undefined,
): Reply {
  const max = maxResults ?? ASSET_MAX_RESULTS;
  if (!Number.isInteger(max) || max < 1 || max > ASSET_MAX_RESULTS)
    return errorReply(
      'InvalidParameterValueException',
      `MaxResults must be between 1 and ${ASSET_MAX_RESULTS}.`,
    );
  const cursor: PageCursor | undefined =
    token === undefined || token === '' ? FIRST_PAGE : decodePageToken(token);
  if (!cursor) return errorReply('InvalidNextTokenException', 'The NextToken is not valid.');
  const rest = items.filter((a) => cursor.after === undefined || a.id > cursor.after);
  const shown = rest.slice(0, max);
  const last = shown.at(-1);
  const next =
    rest.length > shown.length && last
      ? encodePageToken({ page: cursor.page + 1, after: last.id })
      : undefined;
  return ok({
    [listMember]: shown.map((a) => summaryOf(type, a)),
    ...(next ? { NextToken: next } : {}),
  });
}

function summaryOf(type: AssetType, a: Asset): Record<string, unknown> {
  const seconds = Math.floor(a.createdTime.getTime() / 1000);
  return {
    Arn: a.arn,
    [ASSET_TYPE_SPECS[type].idMember]: a.id,
    Name: a.name,
    CreatedTime: seconds,
    ...(type === 'topic' ? {} : { LastUpdatedTime: seconds }),
  };
}

function permissionsAnswer(asset: Asset, entries: readonly PermissionEntry[]) {
  const spec = ASSET_TYPE_SPECS[asset.type];
  return {
    [spec.idMember]: asset.id,
    [spec.arnMember]: asset.arn,
    Permissions: entries.map((e) => ({ Principal: e.principal, Actions: [...e.actions] })),
  };
}

function entriesOf(value: unknown): PermissionEntry[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const out: PermissionEntry[] = [];
  for (const item of value) {
    const { Principal, Actions } = (item ?? {}) as { Principal?: unknown; Actions?: unknown };
    if (typeof Principal !== 'string' || !Array.isArray(Actions) || Actions.length === 0)
      return undefined;
    if (!Actions.every((a): a is string => typeof a === 'string')) return undefined;
    out.push({ principal: Principal, actions: Actions });
  }
  return out;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

function notFound(type: AssetType, id: string): Reply {
  return errorReply(
    'ResourceNotFoundException',
    `${ASSET_TYPE_SPECS[type].arnWord} ${id} not found.`,
    {
      resourceType: type.toUpperCase(),
    },
  );
}

function byId(a: Asset, b: Asset): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
