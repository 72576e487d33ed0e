import { AwsCallError, classifyAwsError } from '../../../shared/aws/aws-errors.js';
import { describeError, isRetryable } from '../../../shared/errors.js';
import { GoogleWriteError } from '../../../shared/google/google-write-error.js';
import type { DeleteOutcome, RoleChangeOutcome } from '../../../shared/ports.js';
import { type BackoffPolicy, backoffDelayMs } from '../../../shared/retry.js';

/**
 * What the worker does after one QuickSight delete call (pure). The answer also says how the
 * call is reported to the pacer: a throttle (with the server's Retry-After), a served call, or
 * another failure. Retries happen here and nowhere else: the SDK client runs with maxAttempts 1
 * and the adapter does not retry deletes.
 */

export type AttemptPolicy = BackoffPolicy;

/**
 * Per-task retries: full-jitter delays from 250 ms doubling to a cap of 15 s, 8 calls in all.
 * A throttled task waits at least the server's Retry-After (itself capped). The pacer, not
 * these delays, keeps the overall rate under the API's: they only spread a task's own retries.
 */
export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = { baseMs: 250, capMs: 15_000, maxAttempts: 8 };

/**
 * The result of one call: the port's outcome, or what it threw. A role change's outcomes are
 * told apart from a deletion's (`role:` prefix): a missing user is `already_gone` for both, but
 * never a deletion confirmed.
 */
export type CallResult =
  | { readonly ok: true; readonly outcome: DeleteOutcome | `role:${RoleChangeOutcome}` }
  | { readonly ok: false; readonly error: unknown };

/** How the pacer hears about the call. */
export type PacerSignal =
  | { readonly kind: 'served' }
  | { readonly kind: 'throttled'; readonly retryAfterMs?: number }
  | { readonly kind: 'error' };

export type NextStep =
  | {
      readonly kind: 'finish';
      readonly outcome: 'deleted' | 'already_gone' | 'role_changed';
      /** Not found after idsync's own earlier call: that call deleted the user. */
      readonly confirmedOnRetry?: boolean;
      /** A role change found the user in its target role already: no UpdateUser was sent. */
      readonly alreadyInRole?: boolean;
    }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'fail'; readonly error: string };

export interface AttemptDecision {
  readonly pacer: PacerSignal;
  readonly next: NextStep;
  readonly throttled: boolean;
}

/** What a failed call says: throttled, worth retrying, and the server's wait. */
export interface FailureFacts {
  readonly throttled: boolean;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export function failureFacts(error: unknown): FailureFacts {
  if (error instanceof AwsCallError || error instanceof GoogleWriteError)
    return {
      throttled: error.throttled,
      retryable: error.retryable,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  const info = classifyAwsError(error);
  return {
    throttled: info.throttled,
    retryable: info.retryable || isRetryable(error),
    ...(info.retryAfterMs !== undefined ? { retryAfterMs: info.retryAfterMs } : {}),
  };
}

/**
 * The decision after call number `attempt` (1-based, this run) of a task. Not found counts as
 * already gone, unless idsync had called before for this task (`earlierCall`, over every run,
 * a dead worker's included): then that call deleted the user, and the outcome is `deleted`. Throttling and transient failures (5xx, resets) are retried after a capped,
 * full-jitter delay until `maxAttempts`; anything else (access denied, validation) fails now.
 */
export function decideAfterCall(
  result: CallResult,
  attempt: number,
  policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
  random: () => number = Math.random,
  earlierCall = false,
): AttemptDecision {
  if (result.ok && result.outcome.startsWith('role:')) {
    const outcome = result.outcome === 'role:not_found' ? 'already_gone' : 'role_changed';
    const already = result.outcome === 'role:already_in_role';
    return {
      pacer: { kind: 'served' },
      next: { kind: 'finish', outcome, ...(already ? { alreadyInRole: true } : {}) },
      throttled: false,
    };
  }
  if (result.ok) {
    const confirmed = result.outcome !== 'deleted' && earlierCall;
    const outcome = result.outcome === 'deleted' || confirmed ? 'deleted' : 'already_gone';
    return {
      pacer: { kind: 'served' },
      next: { kind: 'finish', outcome, ...(confirmed ? { confirmedOnRetry: true } : {}) },
      throttled: false,
    };
  }
  const facts = failureFacts(result.error);
  const pacer: PacerSignal = facts.throttled
    ? {
        kind: 'throttled',
        ...(facts.retryAfterMs !== undefined ? { retryAfterMs: facts.retryAfterMs } : {}),
      }
    : { kind: 'error' };
  const error = describeError(result.error);
  if (!facts.retryable || attempt >= policy.maxAttempts)
    return { pacer, next: { kind: 'fail', error }, throttled: facts.throttled };
  const delayMs = backoffDelayMs(attempt, policy, random, facts.retryAfterMs);
  return { pacer, next: { kind: 'retry', delayMs, error }, throttled: facts.throttled };
}
