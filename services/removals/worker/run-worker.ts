import { describeError } from '../../../shared/errors.js';
import { type Task, type TaskOutcome, taskAction } from '../../../shared/task.js';
import {
  type AttemptDecision,
  type AttemptPolicy,
  type CallResult,
  DEFAULT_ATTEMPT_POLICY,
  decideAfterCall,
} from './pacing/call-pacing.js';
import {
  emptyCounts,
  progressSnapshot,
  RateWindow,
  settledCount,
  silentProgress,
  summarize,
  type WorkerSummary,
} from './progress.js';
import {
  alreadyInRoleReason,
  blockTask,
  CONFIRMED_REASON,
  callOfTask,
  deferTask,
  handOverFirst,
  LEFT_CONFIRMED_REASON,
  NO_GROUP_WRITER_REASON,
  type OutcomeExtra,
  pacerOfTask,
  recordFinalState,
  recordOutcome,
} from './task-call.js';
import {
  type HeldLease,
  HeldLeases,
  listLeased,
  remainingTasks,
  sleepUnless,
  WorkQueue,
} from './work-queue.js';
import type { BeforeDelete, WorkerDeps, WorkerOptions } from './worker-ports.js';

/**
 * The worker shell: deletes the QuickSight users of the claimable tasks through a fastq queue
 * (at most `concurrency` tasks at work), the pacer in front of every QuickSight call. A task is
 * claimed (conditional update, short lease) just before its first call, checked by
 * `beforeDelete`, and finished with a conditional write; its retries wait OFF the queue (a timer
 * re-queues them).
 *
 * Leases follow their owner: a heartbeat renews the lease of every task this run holds (also
 * while it waits for the pacer or a retry delay), so a dead worker's tasks come free within one
 * short lease. Each call is counted on the task (`attempts`) just before it is sent, in the same
 * write that checks the lease, so a task whose lease was lost is never sent, and a later run
 * knows an earlier call may have deleted the user: a 404 then is idsync's own deletion
 * confirmed (`deleted`), not `already_gone`.
 *
 * A task ends with its outcome row, then its final state: ./task-call.ts says why that order and
 * the per-execution row key give one row per deletion whatever the kill point.
 *
 * With `leased: 'wait'` the run waits for tasks another worker holds (until their leases as
 * first seen have run out, with a countdown) and takes them over; with `'report'` it does not
 * wait. Either way it then counts what is left of its scope (pending or leased) in the summary.
 * On `signal` it stops taking tasks, lets calls in flight finish, and gives claimed tasks that
 * still wait for a retry back (PENDING).
 */

/** A claimed task at work; the heartbeat (`HeldLeases` in ./work-queue.ts) keeps its lease. */
interface Running extends HeldLease {
  /** Calls over every run (the task's `attempts`). */
  attempts: number;
  /** Calls in this run. */
  runAttempts: number;
  startedAt?: string;
}

/** How often a waiting run looks at the leased tasks again. */
const WAIT_POLL_MS = 500;

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
  /** Tasks this run holds a lease on: the heartbeat renews them. */
  private readonly held: HeldLeases;
  private waitedMs = 0;
  private leaseFreeAt?: number;
  private deferReason?: string;
  private readonly stopWaiting = new AbortController();

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
    this.held = new HeldLeases(deps, options.owner, options.leaseMs, this.now);
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
    this.held.start(this.options.heartbeatMs);
    try {
      await this.feed();
      if (this.options.leased) {
        const left = await remainingTasks(this.deps.tasks, this.now());
        this.counts.leftPending = left.pending;
        this.counts.leftLeased = left.leased;
        this.leaseFreeAt = left.leaseFreeAt;
      }
    } finally {
      this.held.stop();
      signal?.removeEventListener('abort', onAbort);
      progress.stop(this.snapshot());
    }
    const summary = summarize(this.counts, this.now() - this.startedAt, this.stopped, {
      waitedMs: this.waitedMs,
      ...(this.leaseFreeAt !== undefined ? { leaseFreeAt: this.leaseFreeAt } : {}),
      ...(this.deferReason !== undefined ? { deferReason: this.deferReason } : {}),
    });
    this.deps.logger.info({ runId, summary }, 'worker finished');
    return summary;
  }

  /**
   * Lists claimable tasks not seen in this run and queues them, until a listing has none; then,
   * with `leased: 'wait'`, waits for tasks leased by another worker and lists again.
   */
  private async feed(): Promise<void> {
    const seen = new Set<string>();
    let deadline: number | undefined;
    for (;;) {
      await this.feedClaimable(seen);
      if (this.stopped || this.options.leased !== 'wait') return;
      const now = this.now();
      const leased = await listLeased(this.deps.tasks, now);
      // A lease that ran out between the last listing and `now` is in neither: one more pass
      // takes such a task before the run says it is done.
      if (leased.length === 0) return this.feedClaimable(seen);
      const until = Math.max(...leased.map((t) => t.leaseUntil ?? now));
      // Bounded by the leases as first seen: a dead worker's run out by then; a live one's
      // are renewed, and the run stops waiting and says so.
      deadline ??= until + WAIT_POLL_MS;
      if (now >= deadline) return;
      const waitMs = Math.min(WAIT_POLL_MS, deadline - now);
      this.deps.progress?.waiting?.({ tasks: leased.length, leftMs: deadline - now });
      this.deps.logger.debug({ tasks: leased.length, leftMs: deadline - now }, 'waiting');
      await sleepUnless(waitMs, this.stopWaiting.signal);
      this.waitedMs += waitMs;
      this.deps.progress?.waiting?.({ tasks: 0, leftMs: 0 });
    }
  }

  private async feedClaimable(seen: Set<string>): Promise<void> {
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
      // A DynamoDB failure: the task keeps its lease, which expires (no more heartbeat for it);
      // a later run takes it over.
      this.counts.failed++;
      const taskId = job.kind === 'start' ? job.task.taskId : job.run.task.taskId;
      this.held.forget(taskId);
      this.deps.logger.error({ taskId, error: describeError(error) }, 'task bookkeeping failed');
    }
  }

  private async start(candidate: Task): Promise<void> {
    if (this.stopped) {
      this.counts.total--;
      return;
    }
    const { owner, leaseMs, runId } = this.options;
    const now = this.now();
    const task = await this.deps.tasks.claim(candidate.taskId, owner, leaseMs, now, runId);
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
      lost: false,
    };
    this.held.add(run);
    // Before the checks: they would take a guard window slot for a call this run cannot make.
    if (taskAction(task) === 'leave_group' && !this.deps.groupMembers)
      return this.defer(run, NO_GROUP_WRITER_REASON);
    let veto: Awaited<ReturnType<BeforeDelete>>;
    try {
      veto = this.deps.beforeDelete ? await this.deps.beforeDelete(task) : 'proceed';
    } catch (error) {
      return this.finish(run, 'failed', {
        error: `beforeDelete check failed: ${describeError(error)}`,
      });
    }
    if (typeof veto === 'object' && 'block' in veto) return this.block(run, veto.block);
    if (typeof veto === 'object' && 'defer' in veto) return this.defer(run, veto.defer);
    if (veto !== 'proceed') {
      const reason = typeof veto === 'object' ? veto.skip : 'vetoed before delete';
      return this.finish(run, 'cancelled', { reason });
    }
    const notYet = await handOverFirst(this.deps, task);
    if (notYet !== undefined) return this.defer(run, notYet);
    await this.attempt(run);
  }

  /** One call for a claimed task (QuickSight, or Google for a group removal), and what follows from its answer. */
  private async attempt(run: Running): Promise<void> {
    if (this.stopped) return this.release(run);
    if (run.lost) return this.lose(run);
    const { task } = run;
    const pacer = this.pacerOf(task);
    const startedAt = await pacer.acquire();
    if (this.stopped) return this.release(run);
    // Counts the call on the task and checks the lease in one write: nothing is sent on a
    // lost lease, and a run after a crash knows this call may have been made.
    if (!(await this.beginCall(run))) return this.lose(run);
    run.startedAt ??= new Date(this.now()).toISOString();
    run.runAttempts++;
    this.counts.calls++;
    if (taskAction(task) === 'leave_group') this.counts.googleCalls++;
    const decision = decideAfterCall(
      await this.call(task),
      run.runAttempts,
      this.policy,
      this.deps.random,
      run.attempts > 1,
    );
    this.report(decision, startedAt, pacer);
    const next = decision.next;
    if (next.kind === 'finish') {
      const leaving = taskAction(task) === 'leave_group';
      return this.finish(
        run,
        leaving && next.outcome === 'deleted' ? 'left_group' : next.outcome,
        next.confirmedOnRetry
          ? { reason: leaving ? LEFT_CONFIRMED_REASON : CONFIRMED_REASON, confirmedOnRetry: true }
          : next.alreadyInRole
            ? { reason: alreadyInRoleReason(task) }
            : {},
      );
    }
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

  /** Renews the lease and records call number `attempts + 1`; false when the lease was lost. */
  private async beginCall(run: Running): Promise<boolean> {
    const { owner, leaseMs } = this.options;
    const now = this.now();
    if (!(await this.deps.tasks.renew(run.task.taskId, owner, leaseMs, now, run.attempts + 1)))
      return false;
    run.attempts++;
    run.leaseUntil = Math.max(run.leaseUntil, now + leaseMs);
    return true;
  }

  /** The lease was lost (expired and taken over, or the task finished elsewhere): let go. */
  private lose(run: Running): void {
    this.held.delete(run);
    this.counts.skipped++;
    this.deps.logger.warn({ taskId: run.task.taskId }, 'lease lost; the call is not sent');
  }

  /** The pacer of the task's service (./task-call.ts). */
  private pacerOf(task: Task) {
    return pacerOfTask(this.deps, task);
  }

  /** The task's one call (./task-call.ts). */
  private call(task: Task): Promise<CallResult> {
    return callOfTask(this.deps, task);
  }

  private report(decision: AttemptDecision, startedAt: number, pacer: WorkerDeps['pacer']): void {
    const signal = decision.pacer;
    if (signal.kind === 'served') pacer.onSuccess();
    else if (signal.kind === 'throttled') pacer.onThrottle(signal.retryAfterMs, startedAt);
    else pacer.onError();
    if (decision.throttled) this.counts.throttledCalls++;
    else if (signal.kind === 'error') this.counts.errorCalls++;
  }

  /** Ends the task: its outcome row, then its final state (./task-call.ts); counts the outcome. */
  private async finish(run: Running, outcome: TaskOutcome, extra: OutcomeExtra): Promise<void> {
    const finishedAt = new Date(this.now()).toISOString();
    await recordOutcome(this.deps, this.options, run, outcome, extra, finishedAt);
    this.held.delete(run);
    if (!(await recordFinalState(this.deps, this.options, run, outcome, extra)))
      this.deps.logger.warn(
        { taskId: run.task.taskId, outcome },
        'lease lost before the task was finished',
      );
    if (outcome === 'deleted') this.counts.deleted++;
    else if (outcome === 'left_group') this.counts.leftGroup++;
    else if (outcome === 'role_changed') this.counts.roleChanged++;
    else if (outcome === 'already_gone') this.counts.alreadyGone++;
    else if (outcome === 'cancelled') this.counts.cancelled++;
    else this.counts.failed++;
    if (outcome === 'failed')
      this.deps.logger.warn({ taskId: run.task.taskId, error: extra.error }, 'task failed');
  }

  /** The guard window refused the deletion: the task is kept BLOCKED, with an audit row. */
  private async block(run: Running, reason: string): Promise<void> {
    await blockTask(this.deps, this.options, run, reason, new Date(this.now()).toISOString());
    this.counts.blocked++;
  }

  /** The task cannot be judged now: back to PENDING unrun, with an audit row (./task-call.ts). */
  private async defer(run: Running, reason: string): Promise<void> {
    this.held.delete(run);
    await deferTask(this.deps, this.options, run, reason, new Date(this.now()).toISOString());
    this.counts.deferred++;
    this.deferReason ??= reason;
    this.deps.logger.warn({ taskId: run.task.taskId, reason }, 'task deferred');
  }

  private async release(run: Running): Promise<void> {
    this.held.delete(run);
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
    this.stopWaiting.abort();
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
