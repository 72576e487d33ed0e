import { hostname } from 'node:os';
import fastq from 'fastq';
import type { Stores } from '../../../shared/clients-from-config.js';
import { describeError } from '../../../shared/errors.js';
import { isLeased, type Task } from '../../../shared/task.js';
import type { ApplyScope } from '../removals.js';
import { DEFAULT_ATTEMPT_POLICY } from './pacing/call-pacing.js';
import {
  type WorkerDeps,
  type WorkerOptions,
  type WorkerTaskStore,
  workerOwnerId,
} from './worker-ports.js';

/**
 * The tasks one run works and how: the queue that runs them, the leases it holds while they run,
 * and what an apply covers (its options, which tasks it claims, its stop signal).
 */

/**
 * The worker's queue: fastq runs at most `concurrency` jobs at once; a job that must wait (a
 * retry's backoff) waits on a timer OFF the queue, so waiting never takes a slot from a job that
 * could call QuickSight. `settled()` resolves once nothing runs, waits in the queue or on a timer.
 */
export class WorkQueue<J> {
  private readonly queue: fastq.queueAsPromised<J, void>;
  private readonly timers = new Map<J, ReturnType<typeof setTimeout>>();
  private wakers: Array<() => void> = [];

  constructor(
    run: (job: J) => Promise<void>,
    concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.queue = fastq.promise(run, Math.max(1, concurrency));
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Jobs waiting for a free slot. */
  get backlog(): number {
    return this.queue.length();
  }

  /** Queues a job; its end (after fastq counts it done, so `idle()` holds) wakes waiters. */
  push(job: J): void {
    this.queue
      .push(job)
      .catch(this.onError)
      .finally(() => this.wake());
  }

  /** Queues `job` after `delayMs`. */
  later(job: J, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(job);
      this.push(job);
    }, delayMs);
    this.timers.set(job, timer);
  }

  /** Queues every job waiting on a timer now (a graceful stop hands them back at once). */
  hurry(): void {
    for (const [job, timer] of this.timers) {
      clearTimeout(timer);
      this.push(job);
    }
    this.timers.clear();
    this.wake();
  }

  /** Resolves when nothing runs, waits for a slot or waits on a timer. */
  async settled(): Promise<void> {
    while (!(this.queue.idle() && this.timers.size === 0)) await this.changed();
  }

  /** Resolves at the next job's end (or `wake()`). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const resolve of wakers) resolve();
  }
}

/**
 * The leases a worker run holds, kept alive by a heartbeat: every `leaseMs / 4` it renews each
 * held lease that has used a quarter of its time, also while the task waits for the pacer or a
 * retry delay, so the lease can be short and a dead worker's tasks come free within one lease.
 * A renewal refused (the lease expired and another worker took the task, or it was finished
 * elsewhere) marks the lease lost: the run sends nothing more for that task.
 */

export interface HeldLease {
  readonly task: Task;
  /** Epoch ms; pushed forward by each renewal. */
  leaseUntil: number;
  /** The lease was found lost: send nothing. */
  lost: boolean;
}

export class HeldLeases {
  private readonly held = new Set<HeldLease>();
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly deps: Pick<WorkerDeps, 'tasks' | 'logger'>,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {}

  add(lease: HeldLease): void {
    this.held.add(lease);
  }

  delete(lease: HeldLease): void {
    this.held.delete(lease);
  }

  /** Stops renewing the lease of `taskId` (its bookkeeping failed: let the lease run out). */
  forget(taskId: string): void {
    for (const lease of this.held) if (lease.task.taskId === taskId) this.held.delete(lease);
  }

  /** Starts the heartbeat (every `periodMs`, a quarter of the lease by default). */
  start(periodMs = Math.max(50, Math.floor(this.leaseMs / 4))): void {
    this.timer = setInterval(() => void this.beat(), periodMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One beat: renews every held lease past a quarter of its time. */
  async beat(): Promise<void> {
    await Promise.all(
      [...this.held].map(async (lease) => {
        const now = this.now();
        if (lease.lost || lease.leaseUntil - now > (this.leaseMs * 3) / 4) return;
        try {
          const kept = await this.deps.tasks.renew(
            lease.task.taskId,
            this.owner,
            this.leaseMs,
            now,
          );
          if (kept) lease.leaseUntil = Math.max(lease.leaseUntil, now + this.leaseMs);
          else if (this.held.has(lease)) lease.lost = true;
        } catch (error) {
          // A missed beat: the next one tries again while the lease has time left.
          this.deps.logger.warn(
            { taskId: lease.task.taskId, error: describeError(error) },
            'lease renewal failed',
          );
        }
      }),
    );
  }
}

/** Tasks of the run's scope that a worker holds under a live lease (none without `leased`). */
export async function listLeased(tasks: WorkerDeps['tasks'], nowMs: number): Promise<Task[]> {
  const out: Task[] = [];
  const pages = tasks.leased?.(nowMs);
  if (!pages) return out;
  for await (const page of pages) for (const t of page) if (isLeased(t, nowMs)) out.push(t);
  return out;
}

/** What is left of the run's scope at its end: pending (not failed) and leased tasks. */
export async function remainingTasks(
  tasks: WorkerDeps['tasks'],
  nowMs: number,
): Promise<{ pending: number; leased: number; leaseFreeAt?: number }> {
  let pending = 0;
  for await (const page of tasks.claimable(nowMs))
    for (const t of page) if (t.status !== 'FAILED') pending++;
  const leased = await listLeased(tasks, nowMs);
  return {
    pending,
    leased: leased.length,
    ...(leased.length > 0
      ? { leaseFreeAt: Math.max(...leased.map((t) => t.leaseUntil ?? nowMs)) }
      : {}),
  };
}

/** `ms` of waiting that `signal` cuts short. */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * What one apply of the removals module (../compose-removals.ts) covers, written once for every
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
