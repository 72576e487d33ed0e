import fastq from 'fastq';
import { describeError } from '../../../shared/errors.js';
import { isLeased, type Task } from '../../../shared/task.js';
import type { WorkerDeps } from './worker-ports.js';

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
