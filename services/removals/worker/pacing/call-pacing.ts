import { AwsCallError, classifyAwsError } from '../../../../shared/aws/aws-errors.js';
import { describeError, isRetryable } from '../../../../shared/errors.js';
import { GoogleWriteError } from '../../../../shared/google/google-write-error.js';
import type { DeleteOutcome, RoleChangeOutcome } from '../../../../shared/ports.js';
import {
  type BackoffPolicy,
  backoffDelayMs,
  sleep as realSleep,
} from '../../../../shared/retry.js';
import {
  AdaptiveRate,
  type AdaptiveRateSettings,
  type RatePhase,
  type RememberedRate,
} from './adaptive-rate.js';

/**
 * When each QuickSight call goes and what follows its result: the pacer (the adaptive rate of
 * ./adaptive-rate.ts turned into waits) and the attempt policy (retry after a backoff, or an
 * outcome).
 */

/**
 * Turns the adaptive rate (./adaptive-rate.ts) into waits: a token bucket refilled at the
 * controller's current rate, with a small burst, serving callers first come first served.
 *
 * Contract: every QuickSight call does `const startedAt = await pacer.acquire()` right before
 * it is sent, and reports exactly one outcome: `onSuccess()` (any answer that is not a
 * throttle and not a server fault, incl. ResourceNotFoundException), `onThrottle(retryAfterMs,
 * startedAt)` or `onError()` (5xx, reset, timeout). The retry of a throttled call waits for its
 * Retry-After in the caller's retry loop (withRetry); see adaptive-rate.ts for the global pause.
 * Clock and timer are injectable so tests run in virtual time.
 */

export interface PacerOptions extends Partial<AdaptiveRateSettings> {
  /** Ceiling on calls per second (IDSYNC_RATE). */
  readonly maxRate: number;
  /**
   * Burst of the pacer's own bucket, in ms of the current rate (at least one call): 50 ms, so
   * callers that arrive a little late can catch up without the pacer ever sending a burst the
   * server's bucket would notice (2–3 calls at 50/s).
   */
  readonly burstMs?: number;
  /** Longest single sleep, so a rate change or pause is noticed promptly: 250 ms. */
  readonly maxSleepMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * R as an earlier run measured it, `at` in epoch ms (../task-scopes.ts, `AccountPacers`): the controller
   * starts from it when it is young enough (adaptive-rate.ts, "Memory across runs").
   */
  readonly remembered?: RememberedRate;
  /** Epoch ms, to place `remembered` and `measuredAt` in time: Date.now by default. */
  readonly wallNow?: () => number;
}

export interface PacerStats {
  /** Calls let through by acquire(). */
  readonly calls: number;
  /** Outcomes reported: served (onSuccess), throttled (onThrottle), failed (onError). */
  readonly succeeded: number;
  readonly throttled: number;
  readonly errors: number;
  /** Calls per second allowed now. */
  readonly rate: number;
  readonly phase: RatePhase;
  /** Last measured API rate, once there is one (measured here or remembered). */
  readonly estimate?: number;
  /** When this pacer last measured the API's rate (epoch ms); absent until it has. */
  readonly measuredAt?: number;
  /** Callers waiting in acquire(). */
  readonly waiting: number;
  /** Whether a Retry-After pause is in force. */
  readonly paused: boolean;
}

/** Unreported calls remembered for the FIFO guess (a caller that never reports must not leak). */
const MAX_OUTSTANDING = 10_000;

export class Pacer {
  readonly controller: AdaptiveRate;
  private readonly now: () => number;
  /** Epoch ms minus this pacer's clock, fixed at its start: places times of one in the other. */
  private readonly epochOffset: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly burstMs: number;
  private readonly maxSleepMs: number;
  private readonly queue: Array<(startedAt: number) => void> = [];
  private pumping = false;
  private tokens = 1;
  private refilledAt: number;
  /** Last time a caller found no token: the rate, not the caller, was the limit. */
  private starvedAt = Number.NEGATIVE_INFINITY;
  private counts = { calls: 0, succeeded: 0, throttled: 0, errors: 0 };
  /**
   * Start times of the calls let through and not yet reported, oldest first: the start of a
   * throttled call whose caller did not pass `startedAt` is taken to be the oldest (FIFO).
   */
  private readonly outstanding: number[] = [];

  constructor(options: PacerOptions) {
    const { burstMs, maxSleepMs, now, sleep, remembered, wallNow, ...settings } = options;
    this.now = now ?? (() => performance.now());
    this.sleep = sleep ?? realSleep;
    this.burstMs = burstMs ?? 50;
    this.maxSleepMs = maxSleepMs ?? 250;
    const t = this.now();
    this.refilledAt = t;
    this.epochOffset = (wallNow ?? Date.now)() - t;
    const recalled = remembered && {
      estimate: remembered.estimate,
      at: remembered.at - this.epochOffset,
    };
    this.controller = new AdaptiveRate(settings, t, recalled);
  }

  /** Resolves, in call order, when the next call may start; the value is its start time. */
  acquire(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.queue.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** The call was answered (incl. an expected error such as ResourceNotFoundException). */
  onSuccess(): void {
    this.counts.succeeded++;
    this.served();
  }

  /** The call was answered after the server had used capacity on it: 5xx, reset, timeout. */
  onError(): void {
    this.counts.errors++;
    this.served();
  }

  /**
   * A ThrottlingException / 429. `retryAfterMs`: the server's Retry-After, if it sent one;
   * `startedAt`: what acquire() returned for this call.
   */
  onThrottle(retryAfterMs?: number, startedAt?: number): void {
    this.counts.throttled++;
    const oldest = this.outstanding.shift();
    const now = this.now();
    this.refill(now);
    this.controller.onThrottle(now, startedAt ?? oldest ?? now, retryAfterMs);
  }

  stats(): PacerStats {
    const state = this.controller.state();
    return {
      ...this.counts,
      rate: state.rate,
      phase: state.phase,
      ...(state.estimate !== undefined ? { estimate: state.estimate } : {}),
      ...(state.measuredAt !== undefined
        ? { measuredAt: Math.round(state.measuredAt + this.epochOffset) }
        : {}),
      waiting: this.queue.length,
      paused: state.pausedUntil > this.now(),
    };
  }

  private served(): void {
    this.outstanding.shift();
    const now = this.now();
    this.refill(now);
    this.controller.onServed(now);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.now();
        this.refill(now);
        const pauseMs = this.controller.pausedUntil - now;
        if (pauseMs > 0) {
          await this.sleep(Math.min(pauseMs, this.maxSleepMs));
          continue;
        }
        if (this.tokens >= 1) {
          this.tokens -= 1;
          this.counts.calls++;
          this.outstanding.push(now);
          if (this.outstanding.length > MAX_OUTSTANDING) this.outstanding.shift();
          this.queue.shift()?.(now);
          continue;
        }
        this.starvedAt = now;
        const waitMs = ((1 - this.tokens) * 1000) / this.controller.rate;
        await this.sleep(Math.min(Math.max(waitMs, 0.01), this.maxSleepMs));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Adds the tokens earned since the last refill at the rate in force, then lets time advance. */
  private refill(now: number): void {
    const rate = this.controller.rate;
    const burst = Math.max(1, (rate * this.burstMs) / 1000);
    const dt = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(burst, this.tokens + (dt * rate) / 1000);
    this.refilledAt = Math.max(this.refilledAt, now);
    // Demand exceeded the rate if a caller had to wait within the last two call intervals.
    const saturated = now - this.starvedAt <= Math.max(this.burstMs, 2000 / rate);
    this.controller.advance(now, saturated);
  }
}

/**
 * The pacer the worker runs with: the adaptive limiter of ./adaptive-rate.ts with a ceiling of
 * IDSYNC_RATE, and Retry-After honoured per call only (`maxPauseMs: 0`): the task that was
 * throttled waits at least the server's Retry-After before its retry (the floor in
 * the attempt policy below), while other calls keep the measured pace. QuickSight-style Retry-After
 * values are whole seconds (the sandbox rounds 20 ms up to 1 s), so a global pause on every
 * throttle cost 1 s each time: measured on the sandbox (R = 50/s, burst 20, N = 900) it made
 * runs 1.5–1.9 × ideal instead of ~1.1 × (BENCHMARKS.md, Worker).
 */
export function createWorkerPacer(
  maxRate: number,
  overrides: Omit<PacerOptions, 'maxRate'> = {},
): Pacer {
  return new Pacer({ maxPauseMs: 0, ...overrides, maxRate });
}

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
