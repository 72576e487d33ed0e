import { RemoteServiceError } from '../errors.js';

/**
 * What an operator should read when a call to a service failed for a reason that is not the
 * service's own answer: the service could not be reached (refused, unknown host, reset, timed
 * out), it answered with something that is not an AWS answer (a wrong endpoint), or a DynamoDB
 * table is missing. Pure: the caller gives the endpoints it configured.
 */

export interface ServiceEndpoint {
  /** `DynamoDB`, `QuickSight`, `IdentityStore`, `Google Directory`, … */
  readonly service: string;
  readonly url: string;
}

export type ServiceFailure =
  | {
      readonly kind: 'unreachable';
      readonly service: string;
      readonly url: string;
      readonly reason: string;
      /** What idsync was doing (the wrapped message), when it said. */
      readonly detail?: string;
      /**
       * The whole message of an adapter that already said the service was unreachable (QuickSight,
       * IdentityStore, CloudTrail, Google): it is kept as it is.
       */
      readonly said?: string;
    }
  | {
      readonly kind: 'not_aws';
      readonly service: string;
      readonly url: string;
      readonly status: number;
    }
  | { readonly kind: 'missing_table' };

/** Transport codes that mean "no answer from there". */
const NO_ANSWER = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The error and its causes, outermost first (bounded: a cycle cannot loop). */
export function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 8) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** The "no answer" code of an error: its transport code, or ETIMEDOUT for a timeout. */
function noAnswerCode(e: ErrorLike): string | undefined {
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return 'timed out';
  if (typeof e.code === 'string' && NO_ANSWER.has(e.code)) return e.code;
  if (typeof e.message === 'string') {
    const m = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EAI_AGAIN)\b/.exec(
      e.message,
    );
    if (m) return m[1];
    if (/socket hang up/i.test(e.message)) return 'ECONNRESET';
  }
  return undefined;
}

/** Host (and port) of a URL, as a transport error names it. */
function hostOf(url: string): { host: string; port: string } | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port || (u.protocol === 'https:' ? '443' : '80'),
  };
}

/** The endpoint a transport error came from, by its address/port or hostname. */
function endpointOf(e: ErrorLike, endpoints: readonly ServiceEndpoint[]): ServiceEndpoint[] {
  const peer = peerOf(e);
  if (peer === undefined) return [];
  const { host, port = '' } = peer;
  return endpoints.filter((ep) => {
    const h = hostOf(ep.url);
    if (!h) return false;
    const sameHost = h.host === host || (isLoopback(h.host) && isLoopback(host));
    return sameHost && (port === '' || h.port === port);
  });
}

const isLoopback = (h: string) => h === 'localhost' || h === '127.0.0.1' || h === '::1';

/**
 * One line for a call that got no usable answer: `QuickSight at URL is unreachable
 * (ECONNREFUSED)`, `… did not answer in time (timed out)`, or `… answered HTTP 404 with
 * something that is not a QuickSight answer`; undefined for the service's own errors.
 */
export function describeNoAnswer(
  service: string,
  endpoint: string | undefined,
  error: unknown,
): string | undefined {
  for (const e of causeChain(error)) {
    const code = noAnswerCode(e);
    if (code === undefined) continue;
    const where = endpoint ?? addressOf(e) ?? 'its endpoint';
    return code === 'timed out'
      ? `${service} at ${where} did not answer in time (timed out)`
      : `${service} at ${where} is unreachable (${code})`;
  }
  const e = error as ErrorLike | null;
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (e?.name === 'SyntaxError' || e?.name === 'Unknown'))
    return `${service} at ${endpoint ?? 'its endpoint'} answered HTTP ${status} with something that is not a ${service} answer (check its endpoint URL)`;
  return undefined;
}

/** `host:port` (or the host alone) a transport error failed to reach. */
function addressOf(e: ErrorLike): string | undefined {
  const peer = peerOf(e);
  if (peer === undefined) return undefined;
  return peer.port === undefined ? peer.host : `${peer.host}:${peer.port}`;
}

/** The address (else hostname) and port a transport error names, when it names one. */
function peerOf(e: ErrorLike): { host: string; port?: string } | undefined {
  const host =
    typeof e.address === 'string'
      ? e.address
      : typeof e.hostname === 'string'
        ? e.hostname
        : undefined;
  if (host === undefined) return undefined;
  return typeof e.port === 'number' || typeof e.port === 'string'
    ? { host, port: String(e.port) }
    : { host };
}

/** An adapter message that says "did not answer in time" (a timeout after its retries). */
function saidNoAnswer(e: ErrorLike): string | undefined {
  return typeof e.message === 'string' && /did not answer in time|timed out after/.test(e.message)
    ? 'timed out'
    : undefined;
}

/**
 * Reads a failure. `endpoints` lists the services the command talks to; a wrapped error
 * (RemoteServiceError) names its own service, a raw SDK error is matched to an endpoint by
 * the address it failed to reach (only DynamoDB errors travel unwrapped today).
 */
export function readServiceFailure(
  error: unknown,
  endpoints: readonly ServiceEndpoint[],
): ServiceFailure | undefined {
  const chain = causeChain(error);
  const wrapper = chain.find(
    (e): e is RemoteServiceError & ErrorLike => e instanceof RemoteServiceError,
  );
  const byName = (service: string) => endpoints.find((ep) => ep.service === service);
  // QuickSight, IdentityStore, CloudTrail and Google errors already say what failed, and where:
  // their message is kept; only whether the service could be reached is read.
  if (wrapper && wrapper.service !== 'DynamoDB') {
    const reason =
      chain.map(noAnswerCode).find((code) => code !== undefined) ?? saidNoAnswer(wrapper);
    if (reason === undefined) return undefined;
    return {
      kind: 'unreachable',
      service: wrapper.service,
      url: byName(wrapper.service)?.url ?? 'its endpoint',
      reason,
      said: String(wrapper.message),
    };
  }
  const detail =
    wrapper && typeof wrapper.message === 'string'
      ? wrapper.message.replace(`${wrapper.service}: `, '')
      : undefined;
  for (const e of chain) {
    const code = noAnswerCode(e);
    if (code !== undefined) {
      const matched = wrapper
        ? [byName(wrapper.service)].filter((x) => x !== undefined)
        : endpointOf(e, endpoints);
      const service =
        wrapper?.service ?? (matched.map((m) => m.service).join(' or ') || 'a service');
      const url = matched[0]?.url ?? 'its endpoint';
      return { kind: 'unreachable', service, url, reason: code, ...(detail ? { detail } : {}) };
    }
  }
  const top = chain.find((e) => e.$metadata !== undefined);
  if (top && !wrapper && top.name === 'ResourceNotFoundException') return { kind: 'missing_table' };
  const status = top?.$metadata?.httpStatusCode;
  const notAws =
    top !== undefined &&
    typeof status === 'number' &&
    (top.name === 'SyntaxError' || top.name === 'Unknown' || top.message === 'UnknownError');
  if (notAws) {
    const service = wrapper?.service ?? 'DynamoDB';
    const url = byName(service)?.url ?? 'its endpoint';
    return { kind: 'not_aws', service, url, status };
  }
  return undefined;
}
