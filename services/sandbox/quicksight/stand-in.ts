import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { decodePageToken } from '../http/paging.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { QuickSightState } from '../state/quicksight-state.js';
import { type AssetRoute, performAssetOperation } from './asset-operations.js';
import { ASSET_TYPE_SPECS, assetTypeOfCollection, assetTypeOfSearch } from './asset-types.js';
import {
  performQuickSightOperation,
  type QuickSightRoute,
  quickSightBackend,
} from './operations.js';
import { errorReply } from './wire.js';

/**
 * The QuickSight stand-in (restJson1): ListUsers, DescribeUser, DeleteUser,
 * DeleteUserByPrincipalId, UpdateUser and RegisterUser of one account and namespace, and the
 * account's assets (./asset-operations.ts: Search*, Describe/Update*Permissions, List*), on 127.0.0.1, with the
 * paths, query parameters and error shapes of the real API so the real SDK client runs unchanged.
 * Every call goes through the fault knobs (token bucket, throttling, errors, resets, latency,
 * failing page N of a listing).
 */

export async function startQuickSightStandIn(
  state: QuickSightState,
  options: StandInOptions = {},
): Promise<StandIn> {
  const faults = new Faults(options.faults, options.random);
  const backend = quickSightBackend(state);

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const asset = assetRouteOf(req);
    const route = asset ? undefined : routeOf(req);
    if (!route && !asset)
      return sendReply(
        res,
        errorReply('UnknownOperationException', `No ${req.method} operation here.`),
      );
    const refused = options.callerCheck?.(req, `quicksight:${route?.op ?? asset?.route.op}`);
    if (refused) return sendReply(res, errorReply(refused.code, refused.message));
    const action = faults.decide(route ? pageOf(route) : undefined);
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    const fault = faultReply(action);
    if (fault) return sendReply(res, fault);
    if (route) return sendReply(res, performQuickSightOperation(backend, route, body));
    if (!asset) return;
    if (asset.accountId !== state.accountId)
      return sendReply(
        res,
        errorReply(
          'AccessDeniedException',
          `You are not authorized to access resources of account ${asset.accountId}.`,
        ),
      );
    sendReply(res, performAssetOperation(state.assets, principalExists, asset.route, body));
  };
  /** A user ARN of the account, or a group ARN (groups are not modelled: any is accepted). */
  const principalExists = (arn: string) =>
    state.list().some((u) => u.arn === arn) || /:group\//.test(arn);

  const server = await startServer(handle, options.port ?? 0);
  return { endpoint: server.endpoint, faults, close: () => server.close() };
}

/**
 * Maps method + path to an operation. Labels arrive percent-encoded (a `role/email` user name
 * as `role%2Femail`), so the path is split before each segment is decoded.
 */
function routeOf(req: IncomingMessage): QuickSightRoute | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let segments: string[];
  try {
    segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [accounts, accountId = '', namespaces, namespace = '', collection, id, ...rest] = segments;
  if (accounts !== 'accounts' || namespaces !== 'namespaces' || rest.length > 0) return undefined;
  const scope = { accountId, namespace };
  const method = req.method ?? 'GET';
  if (collection === 'users' && id === undefined) {
    if (method === 'POST') return { ...scope, op: 'RegisterUser' };
    if (method === 'GET') return { ...scope, op: 'ListUsers', query: url.searchParams };
  }
  if (collection === 'users' && id) {
    if (method === 'GET') return { ...scope, op: 'DescribeUser', userName: id };
    if (method === 'DELETE') return { ...scope, op: 'DeleteUser', userName: id };
    if (method === 'PUT') return { ...scope, op: 'UpdateUser', userName: id };
  }
  if (collection === 'user-principals' && id && method === 'DELETE')
    return { ...scope, op: 'DeleteUserByPrincipalId', principalId: id };
  return undefined;
}

/**
 * Maps the asset paths: `POST /accounts/{id}/search/{type}`, `GET|PUT|POST
 * /accounts/{id}/{collection}/{assetId}/permissions`, `GET /accounts/{id}/{themes|templates|topics}`.
 */
function assetRouteOf(
  req: IncomingMessage,
): { readonly accountId: string; readonly route: AssetRoute } | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let segments: string[];
  try {
    segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [accounts, accountId = '', collection = '', id, leaf, ...rest] = segments;
  if (accounts !== 'accounts' || rest.length > 0) return undefined;
  const method = req.method ?? 'GET';
  if (collection === 'search' && id && leaf === undefined && method === 'POST') {
    const type = assetTypeOfSearch(id);
    return type ? { accountId, route: { op: 'Search', type } } : undefined;
  }
  const type = assetTypeOfCollection(collection);
  if (!type) return undefined;
  if (id === undefined && method === 'GET' && ASSET_TYPE_SPECS[type].listMember)
    return { accountId, route: { op: 'List', type, query: url.searchParams } };
  if (!id || leaf !== 'permissions') return undefined;
  if (method === 'GET') return { accountId, route: { op: 'DescribePermissions', type, id } };
  if (method === 'PUT' || method === 'POST')
    return { accountId, route: { op: 'UpdatePermissions', type, id } };
  return undefined;
}

/** 1-based page number of a ListUsers call (what `failPage` keys on); undefined otherwise. */
function pageOf(route: QuickSightRoute): number | undefined {
  if (route.op !== 'ListUsers') return undefined;
  const token = route.query.get('next-token');
  return token === null || token === '' ? 1 : decodePageToken(token)?.page;
}

/** The answer to an injected throttle or server error, in QuickSight's shapes. */
function faultReply(action: FaultAction): Reply | undefined {
  if (action.kind === 'throttle')
    return errorReply('ThrottlingException', 'Rate exceeded', {
      ...(action.retryAfterSeconds ? { retryAfterSeconds: action.retryAfterSeconds } : {}),
    });
  if (action.kind === 'error')
    return errorReply('InternalFailureException', 'An internal failure occurred.');
  return undefined;
}
