import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { CloudTrailState } from './cloudtrail-state.js';
import { lookupEvents } from './lookup-events.js';
import { AWS_JSON_1_1, errorReply } from './wire.js';

/**
 * The CloudTrail stand-in (awsJson1_1: `POST /`, `X-Amz-Target:
 * CloudTrail_20131101.LookupEvents`, also the fully qualified
 * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`): LookupEvents over the
 * events of a `CloudTrailState`, on 127.0.0.1. Like the real API it allows 2 calls a second
 * (a token bucket, burst 2) and answers `ThrottlingException` beyond; `faults` can change that.
 */

const TARGETS = ['CloudTrail_20131101.', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.'];

/** LookupEvents' limit per account and region. */
export const LOOKUP_RATE = { rate: 2, burst: 2 } as const;

export interface CloudTrailStandInOptions extends StandInOptions {
  /** The stand-in's clock (epoch ms): the 90-day window ends here. Default Date.now. */
  readonly now?: () => number;
}

export async function startCloudTrailStandIn(
  state: CloudTrailState,
  options: CloudTrailStandInOptions = {},
): Promise<StandIn> {
  const faults = new Faults({ bucket: LOOKUP_RATE, ...options.faults }, options.random);
  const now = options.now ?? Date.now;

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const request = requestOf(req, raw);
    if ('status' in request) return sendReply(res, request);
    const action = faults.decide();
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    const fault = faultReply(action);
    if (fault) return sendReply(res, fault);
    if (request.operation !== 'LookupEvents')
      return sendReply(
        res,
        errorReply('UnknownOperationException', `${request.operation} is not supported here.`),
      );
    sendReply(res, lookupEvents(state, request.body, now()));
  };

  const server = await startServer(handle, options.port ?? 0);
  return { endpoint: server.endpoint, faults, close: () => server.close() };
}

function requestOf(
  req: IncomingMessage,
  raw: Buffer,
): { operation: string; body: Record<string, unknown> } | Reply {
  const target = req.headers['x-amz-target'];
  const prefix = typeof target === 'string' ? TARGETS.find((p) => target.startsWith(p)) : undefined;
  if (
    req.method !== 'POST' ||
    prefix === undefined ||
    !(req.headers['content-type'] ?? '').startsWith(AWS_JSON_1_1)
  ) {
    return errorReply(
      'UnknownOperationException',
      'Expected POST / with X-Amz-Target CloudTrail_20131101.*',
    );
  }
  try {
    const body: unknown = JSON.parse(raw.toString('utf8') || '{}');
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error('not an object');
    return {
      operation: (target as string).slice(prefix.length),
      body: body as Record<string, unknown>,
    };
  } catch {
    return errorReply('SerializationException', 'The request body is not a JSON object.');
  }
}

function faultReply(action: FaultAction): Reply | undefined {
  if (action.kind === 'throttle') return errorReply('ThrottlingException', 'Rate exceeded');
  if (action.kind === 'error') return errorReply('InternalFailure', 'An internal error occurred.');
  return undefined;
}
