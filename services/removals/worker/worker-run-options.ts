import { hostname } from 'node:os';
import { DEFAULT_ATTEMPT_POLICY } from './attempt-policy.js';
import type { WorkerOptions } from './worker-ports.js';
import { workerOwnerId } from './worker-ports.js';

/**
 * The options of a worker run, written once for every process that deletes (the composition
 * root, services/removals/compose-removals.ts, used by the CLI and the worker Lambda): the lease (IDSYNC_LEASE_SECONDS, short and renewed by the heartbeat),
 * the attempts per task, and a lease owner unique to this process and run.
 */

export interface WorkerRunStart {
  readonly runId: string;
  /** From the `worker` config section. */
  readonly worker: { readonly concurrency: number; readonly leaseMs: number };
  readonly signal?: AbortSignal;
  readonly backoff?: WorkerOptions['backoff'];
  /** Tasks leased by another worker: wait for them, or only report them (see WorkerOptions). */
  readonly leased?: WorkerOptions['leased'];
}

/** The worker options of a run: lease, attempts and owner as every caller sets them. */
export function workerRunOptions(start: WorkerRunStart): WorkerOptions {
  return {
    runId: start.runId,
    concurrency: start.worker.concurrency,
    leaseMs: start.worker.leaseMs,
    maxAttempts: DEFAULT_ATTEMPT_POLICY.maxAttempts,
    owner: workerOwnerId(hostname(), process.pid, start.runId),
    ...(start.signal ? { signal: start.signal } : {}),
    ...(start.backoff ? { backoff: start.backoff } : {}),
    ...(start.leased ? { leased: start.leased } : {}),
  };
}
