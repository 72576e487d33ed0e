import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { decodePageToken } from '../http/paging.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import { accessKeyOf, type CallerCheck } from '../http/signed-by.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { QuickSightState } from '../state/quicksight-state.js';
import { type AssetRoute, performAssetOperation } from './asset-operations.js';
import { ASSET_TYPE_SPECS, assetTypeOfCollection, assetTypeOfSearch } from './asset-types.js';
import {
  performQuickSightOperation,
  type QuickSightBackend,
  type QuickSightRoute,
  quickSightBackend,
} from './operations.js';
import { errorReply } from './wire.js';

/**
 * The QuickSight stand-in (restJson1): ListUsers, DescribeUser, DeleteUser,
 * DeleteUserByPrincipalId, UpdateUser and RegisterUser per account and namespace, and each
 * account's assets (./asset-operations.ts: Search*, Describe/Update*Permissions, List*), on 127.0.0.1, with the
 * paths, query parameters and error shapes of the real API so the real SDK client runs unchanged.
 * Several states (one per account and namespace) are served as QuickSight serves several
 * accounts: an account it does not hold → AccessDeniedException, an unknown namespace of one it
 * holds → ResourceNotFoundException; a call for an account with its own caller check
 * (`QuickSightStandInOptions.accountChecks`: only that account's credentials) is asked that
 * check instead of `callerCheck`.
 * Every call goes through the fault knobs (token bucket, throttling, errors, resets, latency,
 * failing page N of a listing).
 */

export interface QuickSightStandInOptions extends StandInOptions {
  /** Per account: who may call it (the sandbox's role of that account); unset: `callerCheck`. */
  readonly accountChecks?: ReadonlyMap<string, CallerCheck>;
}

export async function startQuickSightStandIn(
  states: QuickSightState | readonly QuickSightState[],
  options: QuickSightStandInOptions = {},
): Promise<StandIn> {
  const faults = new Faults(options.faults, options.random);
  const all: QuickSightState[] = Array.isArray(states)
    ? [...(states as readonly QuickSightState[])]
    : [states as QuickSightState];
  const backends = all.map(quickSightBackend);
  const home = backends[0] as QuickSightBackend;
  /** The state of the route's account and namespace; else one of its account (the answer says which is missing). */
  const backendOf = (accountId: string, namespace?: string): QuickSightBackend =>
    backends.find((b) => b.state.accountId === accountId && b.state.namespace === namespace) ??
    backends.find((b) => b.state.accountId === accountId) ??
    home;

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const asset = assetRouteOf(req);
    const route = asset ? undefined : routeOf(req);
    if (!route && !asset)
      return sendReply(
        res,
        errorReply('UnknownOperationException', `No ${req.method} operation here.`),
      );
    const accountId = route?.accountId ?? asset?.accountId ?? '';
    const check = options.accountChecks?.get(accountId) ?? options.callerCheck;
    const operation = route?.op ?? asset?.route.op ?? '';
    const refused = check?.(req, `quicksight:${operation}`);
    if (refused) return sendReply(res, errorReply(refused.code, refused.message));
    const backend = backendOf(accountId, route?.namespace);
    const action = faults.decide(route ? pageOf(route) : undefined);
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    const fault = faultReply(action);
    if (fault) return sendReply(res, fault);
    if (route) {
      if (backend.state.namespace === route.namespace && backend.state.accountId === accountId)
        backend.state.calls.push({ operation, accessKeyId: accessKeyOf(req) ?? '' });
      return sendReply(res, performQuickSightOperation(backend, route, body));
    }
    if (!asset) return;
    const state = backend.state;
    if (asset.accountId !== state.accountId)
      return sendReply(
        res,
        errorReply(
          'AccessDeniedException',
          `You are not authorized to access resources of account ${asset.accountId}.`,
        ),
      );
    sendReply(
      res,
      performAssetOperation(state.assets, principalOf(state.accountId), asset.route, body),
    );
  };
  /** A user ARN of the account (any namespace), or a group ARN (groups are not modelled: any is accepted). */
  const principalOf = (accountId: string) => (arn: string) =>
    all.some((s) => s.accountId === accountId && s.list().some((u) => u.arn === arn)) ||
    /:group\//.test(arn);

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
