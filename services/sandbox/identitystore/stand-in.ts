import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { decodePageToken } from '../http/paging.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { IdentityStoreState } from '../state/identity-store-state.js';
import {
  type IdentityStoreRequest,
  identityStoreBackend,
  performIdentityStoreOperation,
} from './operations.js';
import { AWS_JSON_1_1, errorReply } from './wire.js';

/**
 * The IdentityStore stand-in (awsJson1_1: `POST /`, `X-Amz-Target: AWSIdentityStore.<Op>`):
 * ListUsers, DescribeUser, GetUserId, CreateUser and DeleteUser of one identity store, on
 * 127.0.0.1, in the real wire shapes so the real SDK client runs unchanged. Every call goes
 * through the fault knobs.
 */

const TARGET_PREFIX = 'AWSIdentityStore.';

export async function startIdentityStoreStandIn(
  state: IdentityStoreState,
  options: StandInOptions = {},
): Promise<StandIn> {
  const faults = new Faults(options.faults, options.random);
  const backend = identityStoreBackend(state);

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const request = requestOf(req, raw);
    if (!('operation' in request)) return sendReply(res, request);
    const refused = options.callerCheck?.(req, `identitystore:${request.operation}`);
    if (refused) return sendReply(res, errorReply(refused.code, refused.message));
    const action = faults.decide(pageOf(request));
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    sendReply(res, faultReply(action) ?? performIdentityStoreOperation(backend, request));
  };

  const server = await startServer(handle, options.port ?? 0);
  return { endpoint: server.endpoint, faults, close: () => server.close() };
}

/** The operation and JSON body of a request, or the error reply to a malformed one. */
function requestOf(req: IncomingMessage, raw: Buffer): IdentityStoreRequest | Reply {
  const target = req.headers['x-amz-target'];
  const contentType = req.headers['content-type'] ?? '';
  if (
    req.method !== 'POST' ||
    typeof target !== 'string' ||
    !target.startsWith(TARGET_PREFIX) ||
    !contentType.startsWith(AWS_JSON_1_1)
  ) {
    return errorReply(
      'UnknownOperationException',
      'Expected POST / with X-Amz-Target AWSIdentityStore.*',
    );
  }
  try {
    const body: unknown = JSON.parse(raw.toString('utf8') || '{}');
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error('not an object');
    return { operation: target.slice(TARGET_PREFIX.length), body: body as Record<string, unknown> };
  } catch {
    return errorReply('SerializationException', 'The request body is not a JSON object.');
  }
}

/** 1-based page number of a ListUsers call (what `failPage` keys on); undefined otherwise. */
function pageOf(request: IdentityStoreRequest): number | undefined {
  if (request.operation !== 'ListUsers') return undefined;
  const token = request.body.NextToken;
  if (token === undefined || token === null || token === '') return 1;
  return typeof token === 'string' ? decodePageToken(token)?.page : undefined;
}

/** The answer to an injected throttle or server error, in IdentityStore's shapes. */
function faultReply(action: FaultAction): Reply | undefined {
  if (action.kind === 'throttle')
    return errorReply('ThrottlingException', 'Rate exceeded', {
      ...(action.retryAfterSeconds ? { RetryAfterSeconds: action.retryAfterSeconds } : {}),
    });
  if (action.kind === 'error')
    return errorReply('InternalServerException', 'An internal error occurred.');
  return undefined;
}
