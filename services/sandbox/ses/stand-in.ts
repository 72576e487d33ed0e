import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultAction, Faults } from '../http/faults.js';
import { type Reply, sendReply } from '../http/reply.js';
import { delay, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import { TokenBucket } from '../http/token-bucket.js';
import type { SesState } from '../state/ses-state.js';
import { getAccount, type SesContext, sendEmail } from './operations.js';
import { errorReply } from './wire.js';

/**
 * The SES v2 stand-in (restJson1: `GET /v2/email/account`, `POST /v2/email/outbound-emails`) on
 * 127.0.0.1, in the real wire shapes so the real `@aws-sdk/client-sesv2` runs unchanged
 * (`AWS_ENDPOINT_URL_SESV2`). Every call goes through the fault knobs (an injected 5xx or reset
 * leaves the caller not knowing whether the message was sent, as with the real service); sends
 * are limited to the account's MaxSendRate by a token bucket. Accepted messages go to the
 * state's outbox (`idsync sandbox outbox`).
 */

export interface SesStandIn extends StandIn {
  readonly state: SesState;
}

export async function startSesStandIn(
  state: SesState,
  options: StandInOptions & { readonly region?: string; readonly now?: () => number } = {},
): Promise<SesStandIn> {
  const faults = new Faults(options.faults, options.random);
  const now = options.now ?? Date.now;
  const ctx: SesContext = {
    state,
    region: options.region ?? 'us-east-1',
    rate: new TokenBucket(state.maxSendRate, state.maxSendRate),
    now,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const route = `${req.method} ${path}`;
    if (route !== 'GET /v2/email/account' && route !== 'POST /v2/email/outbound-emails')
      return sendReply(res, errorReply('NotFoundException', `No operation at ${route}`));
    const action = faults.decide();
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    const fault = faultReply(action);
    if (fault) return sendReply(res, fault);
    if (route === 'GET /v2/email/account') return sendReply(res, getAccount(ctx));
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return sendReply(res, errorReply('BadRequestException', 'The request body is not JSON.'));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return sendReply(
        res,
        errorReply('BadRequestException', 'The request body is not an object.'),
      );
    sendReply(res, sendEmail(ctx, body as Record<string, unknown>));
  };

  const server = await startServer(handle, options.port ?? 0);
  return { endpoint: server.endpoint, faults, state, close: () => server.close() };
}

/** The answer to an injected throttle or server error, in SES v2's shapes. */
function faultReply(action: FaultAction): Reply | undefined {
  if (action.kind === 'throttle')
    return errorReply('TooManyRequestsException', 'Maximum sending rate exceeded.');
  if (action.kind === 'error')
    return errorReply('InternalServiceErrorException', 'An internal error occurred.');
  return undefined;
}
