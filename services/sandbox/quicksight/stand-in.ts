import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { decodePageToken } from '../http/paging.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { QuickSightState } from '../state/quicksight-state.js';
import {
  performQuickSightOperation,
  type QuickSightRoute,
  quickSightBackend,
} from './operations.js';
import { errorReply } from './wire.js';

/**
 * The QuickSight stand-in (restJson1): ListUsers, DescribeUser, DeleteUser,
 * DeleteUserByPrincipalId and RegisterUser of one account and namespace, on 127.0.0.1, with the
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
    const route = routeOf(req);
    if (!route)
      return sendReply(
        res,
        errorReply('UnknownOperationException', `No ${req.method} operation here.`),
      );
    const refused = options.callerCheck?.(req, `quicksight:${route.op}`);
    if (refused) return sendReply(res, errorReply(refused.code, refused.message));
    const action = faults.decide(pageOf(route));
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    sendReply(res, faultReply(action) ?? performQuickSightOperation(backend, route, body));
  };

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
  }
  if (collection === 'user-principals' && id && method === 'DELETE')
    return { ...scope, op: 'DeleteUserByPrincipalId', principalId: id };
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
