/**
 * A deterministic simulation of the worker's pacing against a token-bucket API, in virtual time.
 * The server side is the sandbox's own fault model (services/sandbox/http/faults.ts: token bucket,
 * error rate), so the simulation throttles exactly like the QuickSight stand-in; Retry-After is
 * rendered like the stand-in's header (whole seconds, at least 1) or exactly, or not at all.
 * C workers each take the next item, `await pacer.acquire()`, reach the server after half the
 * latency, learn the answer after the other half, and retry with shared/retry.ts's withRetry.
 */

import {
  Pacer,
  type PacerOptions,
  type PacerStats,
} from '../../../../../services/removals/worker/pacing/call-pacing.js';
import { Faults } from '../../../../../services/sandbox/http/faults.js';
import { mulberry32 } from '../../../../../services/sandbox/scenarios/random.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, withRetry } from '../../../../../shared/retry.js';
import { VirtualClock } from './virtual-clock.js';

export interface ServerSpec {
  /** Calls per second the server serves (R). */
  readonly rate: number;
  /** Calls it lets through at once from a full bucket (B). */
  readonly burst: number;
  /** Rate changes during the run. */
  readonly changes?: readonly { readonly atMs: number; readonly rate: number }[];
  /** Share of served calls answered with a 5xx. */
  readonly errorRate?: number;
}

export type RetryAfterMode = 'none' | 'exact' | 'whole-seconds';

export interface SimulationOptions {
  readonly items: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  /** Latency varies uniformly by ± this share: 0.3. */
  readonly latencyJitter?: number;
  readonly server: ServerSpec;
  readonly pacer: Omit<PacerOptions, 'now' | 'sleep'>;
  readonly retryAfter?: RetryAfterMode;
  readonly policy?: BackoffPolicy;
  readonly seed?: number;
  readonly timeLimitMs?: number;
}

export interface RateSample {
  readonly t: number;
  readonly rate: number;
}

export interface SimulationResult {
  readonly makespanMs: number;
  readonly idealMs: number;
  /** makespan / ideal. */
  readonly ratio: number;
  readonly calls: number;
  readonly throttled: number;
  readonly throttledShare: number;
  readonly callsPerItem: number;
  readonly done: number;
  readonly failed: number;
  /** Retries that started before the Retry-After of their throttle had passed. */
  readonly earlyRetries: number;
  /** Retries that followed a throttle carrying a Retry-After. */
  readonly retriesAfterRetryAfter: number;
  /** The pacer's rate after every grant. */
  readonly rates: readonly RateSample[];
  /** Start times of all calls. */
  readonly grants: readonly number[];
  readonly stats: PacerStats;
}

class SimulatedCallError extends Error {
  constructor(
    readonly throttled: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(throttled ? 'ThrottlingException' : 'InternalFailureException');
  }
}

/** Time (ms) a server with this rate schedule needs to serve `items` calls, burst ignored: N/R. */
export function idealMakespanMs(items: number, server: ServerSpec): number {
  const steps = [...(server.changes ?? [])].sort((a, b) => a.atMs - b.atMs);
  let t = 0;
  let rate = server.rate;
  let left = items;
  for (const step of steps) {
    const capacity = ((step.atMs - t) * rate) / 1000;
    if (capacity >= left) break;
    left -= capacity;
    t = step.atMs;
    rate = step.rate;
  }
  return t + (left * 1000) / rate;
}

export async function simulatePacing(options: SimulationOptions): Promise<SimulationResult> {
  const clock = new VirtualClock();
  const random = mulberry32(options.seed ?? 1);
  const { server } = options;
  const faults = new Faults(
    { bucket: { rate: server.rate, burst: server.burst }, errorRate: server.errorRate ?? 0 },
    random,
    clock.now,
  );
  for (const step of server.changes ?? [])
    clock.schedule(step.atMs, () =>
      faults.configure({ ...faults.current, bucket: { rate: step.rate, burst: server.burst } }),
    );
  const pacer = new Pacer({ ...options.pacer, now: clock.now, sleep: clock.sleep });
  const jitter = options.latencyJitter ?? 0.3;
  const halfLatency = () => (options.latencyMs / 2) * (1 + jitter * (2 * random() - 1));
  const rates: RateSample[] = [];
  const grants: number[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  let finishedAt = 0;
  let earlyRetries = 0;
  let retriesAfterRetryAfter = 0;

  const call = async (item: { notBefore?: number }): Promise<void> => {
    const startedAt = await pacer.acquire();
    if (item.notBefore !== undefined) {
      retriesAfterRetryAfter++;
      if (startedAt < item.notBefore) earlyRetries++;
      item.notBefore = undefined;
    }
    grants.push(startedAt);
    rates.push({ t: startedAt, rate: pacer.controller.rate });
    await clock.sleep(halfLatency());
    const action = faults.decide();
    await clock.sleep(halfLatency());
    if (action.kind === 'none') return pacer.onSuccess();
    if (action.kind !== 'throttle') {
      pacer.onError();
      throw new SimulatedCallError(false);
    }
    const retryAfterMs = renderRetryAfter(options.retryAfter ?? 'none', action.retryAfterSeconds);
    pacer.onThrottle(retryAfterMs, startedAt);
    if (retryAfterMs !== undefined) item.notBefore = clock.now() + retryAfterMs;
    throw new SimulatedCallError(true, retryAfterMs);
  };

  const worker = async (): Promise<void> => {
    while (next < options.items) {
      next++;
      const item = {};
      try {
        await withRetry(() => call(item), {
          policy: options.policy ?? DEFAULT_BACKOFF,
          classify: (error) => ({
            retryable: true,
            ...(error instanceof SimulatedCallError && error.retryAfterMs !== undefined
              ? { retryAfterMs: error.retryAfterMs }
              : {}),
          }),
          sleep: clock.sleep,
          random,
        });
        done++;
      } catch {
        failed++;
      }
      finishedAt = clock.now();
    }
  };

  const workers = Array.from({ length: options.concurrency }, worker);
  await clock.run(Promise.all(workers), options.timeLimitMs);
  const stats = pacer.stats();
  const idealMs = idealMakespanMs(options.items, server);
  return {
    makespanMs: finishedAt,
    idealMs,
    ratio: finishedAt / idealMs,
    calls: stats.calls,
    throttled: stats.throttled,
    throttledShare: stats.throttled / stats.calls,
    callsPerItem: stats.calls / Math.max(1, done),
    done,
    failed,
    earlyRetries,
    retriesAfterRetryAfter,
    rates,
    grants,
    stats,
  };
}

function renderRetryAfter(mode: RetryAfterMode, seconds?: number): number | undefined {
  if (mode === 'none' || !seconds) return undefined;
  return mode === 'exact' ? seconds * 1000 : Math.max(1, Math.ceil(seconds)) * 1000;
}

/** Time-weighted mean of the rate samples between `from` and `to` (ms). */
export function meanRate(rates: readonly RateSample[], from: number, to: number): number {
  let area = 0;
  for (let i = 0; i < rates.length; i++) {
    const a = rates[i] as RateSample;
    const end = Math.min(to, rates[i + 1]?.t ?? to);
    const start = Math.max(from, a.t);
    if (end > start) area += a.rate * (end - start);
  }
  return area / (to - from);
}

/** Most calls started in any window of `windowMs` ending at a call. */
export function peakCallsInWindow(grants: readonly number[], windowMs: number): number {
  let peak = 0;
  let first = 0;
  for (let i = 0; i < grants.length; i++) {
    while ((grants[first] as number) <= (grants[i] as number) - windowMs) first++;
    peak = Math.max(peak, i - first + 1);
  }
  return peak;
}
