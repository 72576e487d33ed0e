import type { FailureInfo } from '../retry.js';

/**
 * Classifies what the Google clients (gaxios under google-auth-library and googleapis-common)
 * throw: whether retrying may help, the server's Retry-After, and a one-line summary that holds
 * no secret (no headers, no request body, no token). Duck-typed, because several gaxios versions
 * are installed side by side and `instanceof` does not hold across them.
 */

export type GoogleFailureKind =
  | 'auth'
  | 'throttled'
  | 'server'
  | 'network'
  | 'not_found'
  | 'forbidden'
  | 'client'
  | 'unknown';

export interface GoogleFailure extends FailureInfo {
  readonly kind: GoogleFailureKind;
  readonly status?: number;
  readonly summary: string;
}

/** 403 reasons that mean "slow down" rather than "not allowed". */
const RATE_LIMIT_REASONS = new Set(['quotaExceeded', 'userRateLimitExceeded', 'rateLimitExceeded']);

interface ResponseLike {
  readonly status?: unknown;
  readonly data?: unknown;
  readonly headers?: unknown;
}

export function classifyGoogleError(error: unknown, nowMs: number = Date.now()): GoogleFailure {
  if (typeof error !== 'object' || error === null)
    return { kind: 'unknown', retryable: false, summary: String(error) };
  const { response, config, code } = error as {
    response?: ResponseLike;
    config?: unknown;
    code?: unknown;
  };
  const status = typeof response?.status === 'number' ? response.status : undefined;
  if (response === undefined || status === undefined) {
    // No answer: a reset, refused connection or timeout of a request the client did send.
    // (A local failure such as a key that cannot sign, code ERR_OSSL_…, is not retried.)
    if (config !== undefined || (typeof code === 'string' && /^E[A-Z]+$/.test(code)))
      return {
        kind: 'network',
        retryable: true,
        summary: `no answer (${typeof code === 'string' ? code : describeCause(error)})`,
      };
    return {
      kind: 'unknown',
      retryable: false,
      summary: error instanceof Error ? error.message || error.name : String(error),
    };
  }
  const retryAfterMs = retryAfterOf(response.headers, nowMs);
  const withRetryAfter = retryAfterMs === undefined ? {} : { retryAfterMs };
  const oauth = oauthErrorOf(response.data);
  if (oauth) {
    const summary = `token endpoint answered ${status} ${oauth}`;
    if (status >= 500 || status === 429)
      return { kind: 'server', status, retryable: true, summary, ...withRetryAfter };
    return { kind: 'auth', status, retryable: false, summary };
  }
  const { reason, message } = apiErrorOf(response.data);
  const summary = `HTTP ${status}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`;
  if (status === 401) return { kind: 'auth', status, retryable: false, summary };
  if (status === 429 || (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason)))
    return { kind: 'throttled', status, retryable: true, summary, ...withRetryAfter };
  if (status === 403) return { kind: 'forbidden', status, retryable: false, summary };
  if (status === 408 || status >= 500)
    return { kind: 'server', status, retryable: true, summary, ...withRetryAfter };
  if (status === 404) return { kind: 'not_found', status, retryable: false, summary };
  return { kind: 'client', status, retryable: false, summary };
}

/** `{ error: 'invalid_grant', error_description }` of an OAuth2 token endpoint, as one line. */
function oauthErrorOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { error, error_description: description } = data as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return typeof description === 'string' ? `${error} (${description})` : error;
}

/** Reason and message of Google's `{ error: { code, message, errors: [{ reason }] } }`. */
function apiErrorOf(data: unknown): { reason?: string; message?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const error = (data as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { message, errors } = error as { message?: unknown; errors?: unknown };
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const reason =
    typeof first === 'object' && first !== null
      ? (first as { reason?: unknown }).reason
      : undefined;
  return {
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** Retry-After in seconds or as an HTTP date, in ms from now. */
export function retryAfterOf(headers: unknown, nowMs: number): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  // A fetch Headers (global or node-fetch's, so no instanceof), or a plain object.
  const get = (headers as { get?: unknown }).get;
  const value: unknown =
    typeof get === 'function'
      ? get.call(headers, 'retry-after')
      : (headers as Record<string, unknown>)['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function describeCause(error: object): string {
  const cause = (error as { cause?: unknown }).cause;
  const causeCode =
    typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof causeCode === 'string') return causeCode;
  return error instanceof Error ? error.name : 'unknown error';
}
