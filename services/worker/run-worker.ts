import type { Task, TaskOutcome } from '../../shared/dynamo/task-store.js';
import { describeError } from '../../shared/errors.js';
import {
  type AttemptDecision,
  type AttemptPolicy,
  type CallResult,
  DEFAULT_ATTEMPT_POLICY,
  decideAfterCall,
} from './attempt-policy.js';
import { silentProgress } from './progress.js';
import { WorkQueue } from './work-queue.js';
import type { BeforeDelete, WorkerDeps, WorkerOptions } from './worker-ports.js';
import {
  emptyCounts,
  outcomeRecord,
  progressSnapshot,
  RateWindow,
  settledCount,
  summarize,
  type WorkerSummary,
} from './worker-tally.js';

export type {
  BeforeDelete,
  WorkerDeps,
  WorkerOptions,
  WorkerPacer,
  WorkerTaskStore,
} from './worker-ports.js';
export { workerOwnerId } from './worker-ports.js';

/**
 * The worker shell: deletes the QuickSight users of the claimable tasks through a fastq queue
 * (at most `concurrency` tasks at work), the pacer in front of every QuickSight call. A task is
 * claimed (conditional update, lease) just before its first call, checked by `beforeDelete`,
 * and finished with a conditional write; its retries wait OFF the queue (a timer re-queues them)
 * and renew the lease first, so a task whose lease was lost is never sent. Every outcome is an
 * audit row. On `signal` it stops taking tasks, lets calls in flight finish, and gives claimed
 * tasks that still wait for a retry back (PENDING).
 */

/** A claimed task at work. */
interface Running {
  readonly task: Task;
  /** Calls over every run (the task's `attempts`). */
  attempts: number;
  /** Calls in this run. */
  runAttempts: number;
  leaseUntil: number;
  startedAt?: string;
}

type Job =
  | { readonly kind: 'start'; readonly task: Task }
  | { readonly kind: 'retry'; readonly run: Running };

export function runWorker(deps: WorkerDeps, options: WorkerOptions): Promise<WorkerSummary> {
  return new WorkerRun(deps, options).run();
}

class WorkerRun {
  private readonly counts = emptyCounts();
  private readonly now: () => number;
  private readonly policy: AttemptPolicy;
  private readonly queue: WorkQueue<Job>;
  private readonly window = new RateWindow();
  private stopped = false;
  private startedAt = 0;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: WorkerOptions,
  ) {
    this.now = deps.clock ? () => deps.clock?.now() ?? Date.now() : Date.now;
    this.policy = {
      ...DEFAULT_ATTEMPT_POLICY,
      ...options.backoff,
      maxAttempts: options.maxAttempts,
    };
    this.queue = new WorkQueue(
      (job: Job) => this.process(job),
      options.concurrency,
      (error: unknown) => deps.logger.error({ error: describeError(error) }, 'worker job failed'),
    );
  }

  async run(): Promise<WorkerSummary> {
    const { signal, runId, owner, concurrency } = this.options;
    const onAbort = () => this.stop();
    if (signal?.aborted) this.stopped = true;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.startedAt = this.now();
    this.deps.logger.info({ runId, owner, concurrency }, 'worker started');
    const progress = this.deps.progress ?? silentProgress;
    progress.start(() => this.snapshot());
    try {
      await this.feed();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      progress.stop(this.snapshot());
    }
    const summary = summarize(this.counts, this.now() - this.startedAt, this.stopped);
    this.deps.logger.info({ runId, summary }, 'worker finished');
    return summary;
  }

  /** Lists claimable tasks not seen in this run and queues them, until a listing has none. */
  private async feed(): Promise<void> {
    const seen = new Set<string>();
    while (!this.stopped) {
      const fresh: Task[] = [];
      for await (const page of this.deps.tasks.claimable(this.now()))
        for (const task of page) if (!seen.has(task.taskId)) fresh.push(task);
      if (fresh.length === 0) break;
      for (const task of fresh) seen.add(task.taskId);
      this.counts.total += fresh.length;
      for (const [i, task] of fresh.entries()) {
        while (!this.stopped && this.queue.backlog >= 2 * this.queue.concurrency)
          await this.queue.changed();
        if (this.stopped) {
          this.counts.total -= fresh.length - i;
          break;
        }
        this.queue.push({ kind: 'start', task });
      }
      await this.queue.settled();
    }
    await this.queue.settled();
  }

  private async process(job: Job): Promise<void> {
    try {
      if (job.kind === 'start') await this.start(job.task);
      else await this.attempt(job.run);
    } catch (error) {
      // A DynamoDB failure: the task keeps its lease, which expires; a later run takes it again.
      this.counts.failed++;
      const taskId = job.kind === 'start' ? job.task.taskId : job.run.task.taskId;
      this.deps.logger.error({ taskId, error: describeError(error) }, 'task bookkeeping failed');
    }
  }

  private async start(candidate: Task): Promise<void> {
    if (this.stopped) {
      this.counts.total--;
      return;
    }
    const { owner, leaseMs } = this.options;
    const now = this.now();
    const task = await this.deps.tasks.claim(candidate.taskId, owner, leaseMs, now);
    if (!task) {
      this.counts.skipped++;
      this.deps.logger.debug({ taskId: candidate.taskId }, 'task no longer claimable; skipped');
      return;
    }
    const run: Running = {
      task,
      attempts: task.attempts ?? 0,
      runAttempts: 0,
      leaseUntil: now + leaseMs,
    };
    let veto: Awaited<ReturnType<BeforeDelete>>;
    try {
      veto = this.deps.beforeDelete ? await this.deps.beforeDelete(task) : 'proceed';
    } catch (error) {
      return this.finish(run, 'failed', {
        error: `beforeDelete check failed: ${describeError(error)}`,
      });
    }
    if (typeof veto === 'object' && 'block' in veto) return this.block(run, veto.block);
    if (veto !== 'proceed') {
      const reason = typeof veto === 'object' ? veto.skip : 'vetoed before delete';
      return this.finish(run, 'cancelled', { reason });
    }
    await this.attempt(run);
  }

  /** One QuickSight call for a claimed task, and what follows from its answer. */
  private async attempt(run: Running): Promise<void> {
    if (this.stopped) return this.release(run);
    const { leaseMs } = this.options;
    const { task } = run;
    if (!(await this.holdLease(run, leaseMs / 2))) return;
    const startedAt = await this.deps.pacer.acquire();
    if (this.stopped) return this.release(run);
    // A long wait for the pacer must not leave the call running on an expiring lease.
    if (!(await this.holdLease(run, leaseMs / 4))) return;
    run.startedAt ??= new Date(this.now()).toISOString();
    run.runAttempts++;
    run.attempts++;
    this.counts.calls++;
    const decision = decideAfterCall(
      await this.call(task),
      run.runAttempts,
      this.policy,
      this.deps.random,
    );
    this.report(decision, startedAt);
    const next = decision.next;
    if (next.kind === 'finish') return this.finish(run, next.outcome, {});
    if (next.kind === 'fail') return this.finish(run, 'failed', { error: next.error });
    this.deps.logger.debug(
      {
        taskId: task.taskId,
        attempt: run.runAttempts,
        delayMs: Math.round(next.delayMs),
        error: next.error,
      },
      'QuickSight delete will be retried',
    );
    this.queue.later({ kind: 'retry', run }, next.delayMs);
  }

  /**
   * Makes sure `run`'s lease has at least `minRemainingMs` left, renewing it when needed. False
   * (counted as skipped, nothing sent) when the lease was lost: it expired and another worker
   * took the task, or the task was finished meanwhile.
   */
  private async holdLease(run: Running, minRemainingMs: number): Promise<boolean> {
    const now = this.now();
    if (run.leaseUntil - now >= minRemainingMs) return true;
    const { owner, leaseMs } = this.options;
    if (await this.deps.tasks.renew(run.task.taskId, owner, leaseMs, now)) {
      run.leaseUntil = now + leaseMs;
      return true;
    }
    this.counts.skipped++;
    this.deps.logger.warn({ taskId: run.task.taskId }, 'lease lost; the call is not sent');
    return false;
  }

  private async call(task: Task): Promise<CallResult> {
    const qs = this.deps.quickSight;
    try {
      if (task.userName !== 'N/A') return { ok: true, outcome: await qs.deleteUser(task.userName) };
      if (!task.principalId) return { ok: false, error: new Error('user N/A has no principal id') };
      return { ok: true, outcome: await qs.deleteUserByPrincipalId(task.principalId) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private report(decision: AttemptDecision, startedAt: number): void {
    const { pacer } = this.deps;
    const signal = decision.pacer;
    if (signal.kind === 'served') pacer.onSuccess();
    else if (signal.kind === 'throttled') pacer.onThrottle(signal.retryAfterMs, startedAt);
    else pacer.onError();
    if (decision.throttled) this.counts.throttledCalls++;
    else if (signal.kind === 'error') this.counts.errorCalls++;
  }

  private async finish(
    run: Running,
    outcome: TaskOutcome,
    extra: { error?: string; reason?: string },
  ): Promise<void> {
    const { owner, runId } = this.options;
    const { task } = run;
    const finishedAt = new Date(this.now()).toISOString();
    const kept =
      outcome === 'failed'
        ? await this.deps.tasks.fail(task.taskId, owner, extra.error ?? 'failed', run.attempts)
        : await this.deps.tasks.complete(task.taskId, owner, outcome, run.attempts);
    if (!kept)
      this.deps.logger.warn(
        { taskId: task.taskId, outcome },
        'lease lost before the task was finished',
      );
    if (outcome === 'deleted') this.counts.deleted++;
    else if (outcome === 'already_gone') this.counts.alreadyGone++;
    else if (outcome === 'cancelled') this.counts.cancelled++;
    else this.counts.failed++;
    if (outcome === 'failed')
      this.deps.logger.warn({ taskId: task.taskId, error: extra.error }, 'task failed');
    const record = outcomeRecord({
      runId,
      owner,
      task,
      outcome,
      attempts: run.attempts,
      startedAt: run.startedAt ?? finishedAt,
      finishedAt,
      ...extra,
    });
    try {
      await this.deps.audit.append([record]);
    } catch (error) {
      this.deps.logger.error(
        { taskId: task.taskId, error: describeError(error) },
        'audit append failed',
      );
    }
  }

  /** The guard window refused the deletion: the task is kept BLOCKED, with an audit row. */
  private async block(run: Running, reason: string): Promise<void> {
    const { owner, runId } = this.options;
    const { task } = run;
    await this.deps.tasks.block(task.taskId, owner, reason, run.attempts);
    this.counts.blocked++;
    const at = new Date(this.now()).toISOString();
    const record = outcomeRecord({
      runId,
      owner,
      task,
      outcome: 'blocked',
      attempts: run.attempts,
      startedAt: at,
      finishedAt: at,
      reason,
    });
    await this.deps.audit.append([record]);
  }

  private async release(run: Running): Promise<void> {
    await this.deps.tasks.release(run.task.taskId, this.options.owner, run.attempts);
    this.counts.released++;
  }

  /** Graceful stop: no new tasks; retries waiting on a timer are released now. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.deps.logger.info(
      { runId: this.options.runId },
      'worker stopping: finishing calls in flight',
    );
    this.queue.hurry();
  }

  private snapshot() {
    const now = this.now();
    return progressSnapshot(
      this.counts,
      now - this.startedAt,
      this.window.rate(now, settledCount(this.counts)),
      this.deps.pacer.stats().rate,
    );
  }
}
