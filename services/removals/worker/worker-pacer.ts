import { Pacer, type PacerOptions } from './pacing/pacer.js';

/**
 * The pacer the worker runs with: the adaptive limiter of services/worker/pacing with a ceiling of
 * IDSYNC_RATE, and Retry-After honoured per call only (`maxPauseMs: 0`): the task that was
 * throttled waits at least the server's Retry-After before its retry (the floor in
 * ./attempt-policy.ts), while other calls keep the measured pace. QuickSight-style Retry-After
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
