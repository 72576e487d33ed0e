import { hostname } from 'node:os';
import type { Stores } from '../../shared/clients-from-config.js';
import type { Task } from '../../shared/task.js';
import type { ApplyScope } from './removals.js';
import { DEFAULT_ATTEMPT_POLICY } from './worker/attempt-policy.js';
import type { WorkerOptions, WorkerTaskStore } from './worker/worker-ports.js';
import { workerOwnerId } from './worker/worker-ports.js';

/**
 * What one apply of the removals module (./compose-removals.ts) covers, written once for every
 * process that deletes (the CLI and the worker Lambda): the worker run's options (the lease,
 * IDSYNC_LEASE_SECONDS, short and renewed by the heartbeat; the attempts per task; a lease owner
 * unique to this process and run), the tasks of its scope (which ones, the task store limited to
 * them, the BLOCKED ones an operator released) and its stop signal.
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

/** Which tasks of the store a scope runs (undefined: every claimable one). */
export function scopeFilter(scope: ApplyScope): ((t: Task) => boolean) | undefined {
  if (scope.kind === 'queued') return undefined;
  if (scope.kind === 'run') {
    const also = new Set(scope.alsoTaskIds);
    return (t) => t.runId === scope.of || also.has(t.taskId);
  }
  if (scope.kind === 'tasks') {
    const ids = new Set(scope.tasks.map((t) => t.taskId));
    return (t) => ids.has(t.taskId);
  }
  // A killed run's tasks for the same deletions are this plan's too: run them, not just report.
  const { runId } = scope.plan;
  const also = new Set(scope.plan.tasks.existingTaskIds ?? []);
  return (t) => t.runId === runId || also.has(t.taskId);
}

/** The claimable tasks (of the scope), for a dry run. */
export async function claimableTasks(
  tasks: Stores['tasks'],
  only: ((t: Task) => boolean) | undefined,
): Promise<Task[]> {
  const out: Task[] = [];
  for await (const page of tasks.claimable(Date.now()))
    out.push(...(only ? page.filter(only) : page));
  return out;
}

/** The task store as the worker sees it, limited to the scope's tasks. */
export function onlyTasks(
  tasks: Stores['tasks'],
  only: ((t: Task) => boolean) | undefined,
): WorkerTaskStore {
  if (!only) return tasks;
  return {
    claim: (...a) => tasks.claim(...a),
    renew: (...a) => tasks.renew(...a),
    complete: (...a) => tasks.complete(...a),
    fail: (...a) => tasks.fail(...a),
    release: (...a) => tasks.release(...a),
    block: (...a) => tasks.block(...a),
    defer: (...a) => tasks.defer(...a),
    async *claimable(nowMs: number) {
      for await (const page of tasks.claimable(nowMs)) yield page.filter(only);
    },
    async *leased(nowMs: number) {
      for await (const page of tasks.leased(nowMs)) yield page.filter(only);
    },
  };
}

/** BLOCKED tasks (of the scope) become PENDING: the operator released them. */
export async function unblockTasks(
  tasks: Stores['tasks'],
  only: ((t: Task) => boolean) | undefined,
): Promise<number> {
  const blocked: Task[] = [];
  for await (const page of tasks.byStatus('BLOCKED'))
    blocked.push(...(only ? page.filter(only) : page));
  let released = 0;
  for (const task of blocked) if (await tasks.unblock(task.taskId)) released++;
  return released;
}

/** The scope's stop signal, joined (for the CLI) with SIGINT/SIGTERM while the apply runs. */
export function stopSignal(
  signal: AbortSignal | undefined,
  onSignals: boolean,
): { signal?: AbortSignal; done(): void } {
  if (!onSignals) return { ...(signal ? { signal } : {}), done() {} };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  return {
    signal: stop.signal,
    done() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
