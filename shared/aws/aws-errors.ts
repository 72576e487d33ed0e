import { ConfigError, RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, type FailureInfo, withRetry } from '../retry.js';
import { describeNoAnswer } from './service-failure.js';

/**
 * How idsync reads AWS SDK failures, shared by the IdentityStore and QuickSight adapters:
 * which are worth retrying (throttling, 5xx, dropped connections, timeouts), how long the
 * server asked us to wait (RetryAfterSeconds / Retry-After), and the idsync error they become.
 * The SDK clients run with maxAttempts 1; `callWithRetry` is the one layer that retries.
 */

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
]);

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

export interface AwsFailureInfo extends FailureInfo {
  /** The service said "slow down" (a throttling error code or HTTP 429). */
  readonly throttled: boolean;
  /** The error code (`ThrottlingException`, `ECONNRESET`, …) when there is one. */
  readonly code?: string;
  readonly httpStatusCode?: number;
}

/** The shape of an SDK error that this module reads; everything is optional. */
interface AwsErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
  readonly RetryAfterSeconds?: unknown;
}

export function classifyAwsError(error: unknown): AwsFailureInfo {
  if (typeof error !== 'object' || error === null) return { retryable: false, throttled: false };
  const e = error as AwsErrorLike;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const networkCode = typeof e.code === 'string' ? e.code : undefined;
  const status =
    typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const throttled = (name !== undefined && THROTTLING_CODES.has(name)) || status === 429;
  const serverFault = (status !== undefined && status >= 500) || e.$fault === 'server';
  const network =
    (networkCode !== undefined && TRANSIENT_NETWORK_CODES.has(networkCode)) ||
    (name !== undefined && TRANSIENT_NAMES.has(name)) ||
    (typeof e.message === 'string' && /socket hang up/i.test(e.message));
  const retryable = throttled || serverFault || network || Boolean(e.$retryable);
  const retryAfterMs = retryAfterMsOf(e);
  return {
    retryable,
    throttled,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(networkCode !== undefined || name !== undefined ? { code: networkCode ?? name } : {}),
    ...(status !== undefined ? { httpStatusCode: status } : {}),
  };
}

/** The wait the server asked for: the `RetryAfterSeconds` member, else a Retry-After header. */
function retryAfterMsOf(e: AwsErrorLike): number | undefined {
  if (typeof e.RetryAfterSeconds === 'number' && e.RetryAfterSeconds >= 0)
    return e.RetryAfterSeconds * 1000;
  const header = e.$response?.headers?.['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Whether `error` is the SDK's error `name` (e.g. `ResourceNotFoundException`). */
export function isAwsError(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as AwsErrorLike).name === name;
}

/**
 * A ResourceNotFoundException about a resource of `resourceType` (or naming no type). One about
 * another resource (the namespace, the identity store) is a configuration problem and must not
 * read as "that user is already gone".
 */
export function isResourceNotFound(error: unknown, resourceType: string): boolean {
  if (!isAwsError(error, 'ResourceNotFoundException')) return false;
  const type = (error as { ResourceType?: unknown }).ResourceType;
  return type === undefined || type === resourceType;
}

/**
 * A failed AWS call, as idsync reports it: a RemoteServiceError whose `cause` is the SDK error,
 * with what a caller that paces its own retries (the worker) needs to know.
 */
export class AwsCallError extends RemoteServiceError {
  readonly throttled: boolean;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly httpStatusCode?: number;

  constructor(service: string, operation: string, cause: unknown, attempts = 1, endpoint?: string) {
    const info = classifyAwsError(cause);
    const detail =
      describeNoAnswer(service, endpoint, cause) ??
      (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    super(service, `${operation} failed${tries}: ${detail}`, {
      cause,
      retryable: info.retryable,
    });
    this.throttled = info.throttled;
    if (info.retryAfterMs !== undefined) this.retryAfterMs = info.retryAfterMs;
    if (info.code !== undefined) this.code = info.code;
    if (info.httpStatusCode !== undefined) this.httpStatusCode = info.httpStatusCode;
  }
}

/** Retry settings of an adapter; the defaults are shared/retry's. */
export interface AwsRetryOptions {
  readonly retry?: BackoffPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Called before each wait (logging, counters). */
  readonly onRetry?: (info: {
    operation: string;
    attempt: number;
    delayMs: number;
    error: unknown;
  }) => void;
  readonly signal?: AbortSignal;
  /** The service's URL, named in messages when it cannot be reached. */
  readonly endpoint?: string;
}

/**
 * Runs one AWS call, retrying transient failures with capped, jittered backoff (honouring the
 * server's Retry-After as a floor). Gives up with an AwsCallError: `retryable` true when it ran
 * out of attempts on a transient failure, false when the failure was permanent.
 */
export async function callWithRetry<T>(
  service: string,
  operation: string,
  call: () => Promise<T>,
  options: AwsRetryOptions = {},
): Promise<T> {
  let attempts = 0;
  try {
    return await withRetry(
      (attempt) => {
        attempts = attempt;
        return call();
      },
      {
        classify: classifyAwsError,
        ...(options.retry ? { policy: options.retry } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onRetry
          ? { onRetry: (info) => options.onRetry?.({ operation, ...info }) }
          : {}),
      },
    );
  } catch (error) {
    throw new AwsCallError(service, operation, error, attempts, options.endpoint);
  }
}

/** One page of a token-paged AWS listing. */
export interface AwsPage<T> {
  readonly items: readonly T[];
  readonly nextToken?: string | undefined;
}

/**
 * Every page of a token-paged listing, one array per page, each page fetched with
 * `callWithRetry` (operation `<operation> page N`). Stops after the page without a NextToken.
 */
export async function* listPagesWithRetry<T>(
  service: string,
  operation: string,
  fetchPage: (nextToken: string | undefined) => Promise<AwsPage<T>>,
  options: AwsRetryOptions = {},
): AsyncIterable<readonly T[]> {
  let nextToken: string | undefined;
  let page = 0;
  do {
    page++;
    const token = nextToken;
    const result = await callWithRetry(
      service,
      `${operation} page ${page}`,
      () => fetchPage(token),
      options,
    );
    yield result.items;
    nextToken = result.nextToken || undefined;
  } while (nextToken);
}

/**
 * The configuration error behind an AWS failure that is the operator's set-up, not the service:
 * no credentials in the SDK's provider chain, no region anywhere, or a role STS would not let
 * idsync assume (the ConfigError of shared/aws/service-credentials.ts). Looks through `cause`
 * (the adapters wrap SDK errors). Undefined for every other failure.
 */
export function awsSetupProblem(error: unknown): ConfigError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof ConfigError) return current;
    const e = current as { name?: unknown; message?: unknown; cause?: unknown };
    if (e.name === 'CredentialsProviderError') {
      return new ConfigError(
        'AWS_PROFILE',
        'no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`)',
      );
    }
    if (typeof e.message === 'string' && /^Region is missing/.test(e.message)) {
      return new ConfigError(
        'AWS_REGION',
        'no AWS region found (set AWS_REGION, or a region in your AWS profile)',
      );
    }
    current = e.cause;
  }
  return undefined;
}
