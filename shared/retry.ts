/**
 * Capped exponential backoff with full jitter, and a retry loop built on it. Used at ONE layer:
 * the SDK clients run with maxAttempts 1 and idsync retries here.
 */

export interface BackoffPolicy {
  /** Delay scale of the first retry. */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly capMs: number;
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 20_000, maxAttempts: 6 };

/**
 * Full-jitter delay before retry number `retry` (1 for the first retry):
 * uniform in [0, min(cap, base · 2^(retry-1))]. A server's Retry-After, when given, is a floor,
 * but is itself capped.
 */
export function backoffDelayMs(
  retry: number,
  policy: Pick<BackoffPolicy, 'baseMs' | 'capMs'>,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(retry - 1, 30)));
  const jittered = random() * exp;
  const floor = retryAfterMs !== undefined ? Math.min(policy.capMs, retryAfterMs) : 0;
  return Math.min(policy.capMs, Math.max(jittered, floor));
}

/** What the retry loop needs to know about a failure. */
export interface FailureInfo {
  readonly retryable: boolean;
  /** A server-supplied wait (Retry-After / RetryAfterSeconds), in ms. */
  readonly retryAfterMs?: number;
}

export interface RetryOptions {
  readonly policy?: BackoffPolicy;
  readonly classify: (error: unknown) => FailureInfo;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Called before each wait; for logging and counters. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly signal?: AbortSignal;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const info = options.classify(error);
      if (!info.retryable || attempt >= policy.maxAttempts || options.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(attempt, policy, options.random, info.retryAfterMs);
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs);
    }
  }
}
