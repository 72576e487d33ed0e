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
 *
 * Like CloudTrail, it is regional: the region of a request is the one its SigV4 signature is
 * scoped to (`Credential=…/<date>/<region>/cloudtrail/aws4_request` in the Authorization header,
 * which the SDK always sends; the state's home region without one), a region's LookupEvents
 * sees only that region's events, and each region has its own limit and fault knobs
 * (`faultsFor(region)`; `faults` are the home region's). Every answer carries the stand-in's
 * clock in its `Date` header, and a request whose `X-Amz-Date` is more than 15 minutes off that
 * clock is refused as CloudTrail refuses it (`InvalidSignatureException: Signature expired` /
 * `not yet current`). `clock.offsetMs` runs that clock off the real one (tests of clock skew),
 * and `delivery.delayMs` holds every event back from LookupEvents for that long after its time,
 * as CloudTrail's delivery does (typically 5, at most 15 minutes; default 0).
 *
 * Event history is per account as well: with `accountOf` (the account of a request's
 * credentials, e.g. of the role session the STS stand-in issued), a caller sees only its own
 * account's events (the records' `recipientAccountId`, ./cloudtrail-state.ts), and each account
 * and region has its own limit (`faultsFor('<account>/<region>')` for an account other than the
 * state's home account).
 */

const TARGETS = ['CloudTrail_20131101.', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.'];

/** LookupEvents' limit per account and region. */
export const LOOKUP_RATE = { rate: 2, burst: 2 } as const;

/** How far a request's signing time may be off the service's clock (SigV4's allowance). */
export const SIGNATURE_SKEW_MS = 15 * 60_000;

export interface CloudTrailStandInOptions extends StandInOptions {
  /** The stand-in's clock (epoch ms): the 90-day window ends here. Default Date.now. */
  readonly now?: () => number;
  /**
   * The account a request's credentials belong to; undefined: the state's home account (the
   * sandbox's own credentials). Unset: callers' accounts are not told apart (every event seen).
   */
  readonly accountOf?: (req: IncomingMessage) => string | undefined;
}

export interface CloudTrailStandIn extends StandIn {
  /** The fault knobs and counters of one region (created on first use; home region: `faults`). */
  faultsFor(region: string): Faults;
  /** The regions asked so far, with their knobs. */
  readonly regionFaults: ReadonlyMap<string, Faults>;
  /** Moves the stand-in's clock off its source by `offsetMs` (negative: behind). */
  readonly clock: { offsetMs: number };
  /** An event is in LookupEvents only `delayMs` after its time (CloudTrail's delivery delay). */
  readonly delivery: { delayMs: number };
}

export async function startCloudTrailStandIn(
  state: CloudTrailState,
  options: CloudTrailStandInOptions = {},
): Promise<CloudTrailStandIn> {
  const faults = new Faults({ bucket: LOOKUP_RATE, ...options.faults }, options.random);
  const regionFaults = new Map<string, Faults>([[state.homeRegion, faults]]);
  const faultsFor = (region: string): Faults => {
    let found = regionFaults.get(region);
    if (!found) {
      found = new Faults({ bucket: LOOKUP_RATE }, options.random);
      regionFaults.set(region, found);
    }
    return found;
  };
  const clock = { offsetMs: 0 };
  const delivery = { delayMs: 0 };
  const source = options.now ?? Date.now;
  const now = () => source() + clock.offsetMs;

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const send = (reply: Reply) =>
      sendReply(res, {
        ...reply,
        headers: { ...reply.headers, date: new Date(now()).toUTCString() },
      });
    const request = requestOf(req, raw);
    if ('status' in request) return send(request);
    const stale = signatureTimeProblem(req.headers['x-amz-date'], now());
    if (stale) return send(stale);
    const refused = options.callerCheck?.(req, `cloudtrail:${request.operation}`);
    if (refused) return send(errorReply(refused.code, refused.message));
    const region = regionOf(req.headers.authorization) ?? state.homeRegion;
    const account = options.accountOf ? (options.accountOf(req) ?? state.homeAccount) : undefined;
    const regional = faultsFor(
      account === undefined || account === state.homeAccount ? region : `${account}/${region}`,
    );
    const action = regional.decide();
    await delay(regional.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    const fault = faultReply(action);
    if (fault) return send(fault);
    if (request.operation !== 'LookupEvents')
      return send(
        errorReply('UnknownOperationException', `${request.operation} is not supported here.`),
      );
    send(lookupEvents(state, request.body, now(), region, delivery.delayMs, account));
  };

  const server = await startServer(handle, options.port ?? 0);
  return {
    endpoint: server.endpoint,
    faults,
    faultsFor,
    regionFaults,
    clock,
    delivery,
    close: () => server.close(),
  };
}

/** The region a SigV4 Authorization header is scoped to. */
export function regionOf(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/cloudtrail\/aws4_request/.exec(
    authorization ?? '',
  )?.[1];
}

/** `20261207T101010Z` → epoch ms. */
function amzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** CloudTrail's refusal of a request signed more than 15 minutes off its clock. */
function signatureTimeProblem(
  header: string | string[] | undefined,
  nowMs: number,
): Reply | undefined {
  if (typeof header !== 'string') return undefined;
  const signedMs = amzDate(header);
  if (!Number.isFinite(signedMs)) return undefined;
  const stamp = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  if (signedMs < nowMs - SIGNATURE_SKEW_MS)
    return errorReply(
      'InvalidSignatureException',
      `Signature expired: ${header} is now earlier than ${stamp(nowMs - SIGNATURE_SKEW_MS)} (${stamp(nowMs)} - 15 min.)`,
    );
  if (signedMs > nowMs + SIGNATURE_SKEW_MS)
    return errorReply(
      'InvalidSignatureException',
      `Signature not yet current: ${header} is still later than ${stamp(nowMs + SIGNATURE_SKEW_MS)} (${stamp(nowMs)} + 15 min.)`,
    );
  return undefined;
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
