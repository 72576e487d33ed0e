import { buildQuickSight, type Stores } from '../../shared/clients-from-config.js';
import { type Config, guardWindowMs } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoGuardWindow } from '../../shared/dynamo/guard-window-store.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { releaseCommand } from '../../shared/release-command.js';
import type { Task } from '../../shared/task.js';
import { createBeforeDelete, loadSnapshotView } from '../removals/worker/delete-checks.js';
import { createProgressReporter } from '../removals/worker/progress.js';
import { createWorkerPacer } from '../removals/worker/worker-pacer.js';
import type { WorkerTaskStore } from '../removals/worker/worker-ports.js';
import { startWorkerRun } from '../removals/worker/worker-run-options.js';
import type { WorkerSummary } from '../removals/worker/worker-tally.js';
import { activityCatchUp } from './activity-catch-up.js';
import type { CliIo } from './io.js';
import { loadConfig } from './lazy-config.js';

export interface ApplyOptions {
  readonly runId: string;
  readonly io: CliIo;
  readonly json: boolean;
  /** Only these tasks' plan run (remove --csv / handle-event apply what they planned). */
  readonly onlyRunId?: string;
  /** With `onlyRunId`: also these tasks, which that plan found already queued (a killed run's). */
  readonly alsoTaskIds?: readonly string[];
  /**
   * `--max-deletions N`: the operator releases BLOCKED tasks and lets this run make up to N
   * deletions beyond the guard window's budget.
   */
  readonly release?: number;
  /** Do not wait for tasks leased by another worker (report them; exit 4). */
  readonly noWait?: boolean;
}

export interface Applied {
  readonly summary: WorkerSummary;
  readonly text: string;
}

const n = (v: number) => v.toLocaleString('en-US');

/**
 * The run's closing text. It never reads as clean while tasks the run was asked to run are
 * still pending or leased: it names how many and when to run `idsync apply` again.
 */
export function formatSummary(s: WorkerSummary): string {
  const seconds = s.elapsedMs / 1000;
  const lines = [
    `applied: ${n(s.deleted)} deleted, ${n(s.alreadyGone)} already gone, ${n(s.cancelled)} cancelled (re-joined, protected or active again), ${n(s.failed)} failed${s.blocked > 0 ? `, ${n(s.blocked)} blocked` : ''}${s.deferred > 0 ? `, ${n(s.deferred)} deferred` : ''}${s.stopped ? ' (stopped)' : ''}`,
    `  ${n(s.calls)} QuickSight calls, ${n(s.throttledCalls)} throttled, in ${seconds.toFixed(1)} s (${s.effectiveRate.toFixed(1)} users/s)`,
  ];
  if (s.waitedMs > 0)
    lines.push(`  waited ${(s.waitedMs / 1000).toFixed(0)} s for tasks leased by another worker`);
  if (s.blocked > 0)
    lines.push(
      `  GUARD: ${n(s.blocked)} deletions were BLOCKED: the guard window's budget (IDSYNC_MAX_DELETIONS within IDSYNC_GUARD_WINDOW_HOURS) is spent.`,
      '  They stay queued as BLOCKED. Check they are intended (idsync audit), then release them for one run:',
      `    ${releaseCommand(Math.max(s.blocked, 1))}`,
    );
  if (s.failed > 0)
    lines.push(
      '  Failed tasks stay queued and are retried by the next run; see idsync audit for their errors.',
    );
  if (s.deferred > 0)
    lines.push(
      `  DEFERRED: ${n(s.deferred)} idle deletions were not judged again, so not made: ${s.deferReason ?? 'the activity record is not fresh enough'}.`,
      '  They stay queued (PENDING). Bring the activity record up to date, then apply them:',
      '    idsync activity sync',
      '    idsync apply',
    );
  // Deferred tasks are PENDING again: counted above, not as work to rerun at once.
  const pending = Math.max(0, s.leftPending - s.deferred);
  if (pending + s.leftLeased > 0) {
    const parts = [
      ...(pending > 0 ? [`${n(pending)} still pending`] : []),
      ...(s.leftLeased > 0
        ? [
            `${n(s.leftLeased)} leased by another worker${s.leaseFreeAt ? ` until ${new Date(s.leaseFreeAt).toISOString()}` : ''}`,
          ]
        : []),
    ];
    const when = s.leaseFreeAt
      ? `after ${new Date(s.leaseFreeAt).toISOString()} (or when that worker has finished)`
      : 'now';
    lines.push(`NOT FINISHED: ${parts.join(', ')}. Run idsync apply again ${when}.`);
  }
  return lines.join('\n');
}

/** The pending tasks, for a dry run. */
export async function pendingTasks(
  stores: Pick<Stores, 'tasks'>,
  onlyRunId?: string,
): Promise<Task[]> {
  const out: Task[] = [];
  for await (const page of stores.tasks.claimable(Date.now())) {
    out.push(...page.filter((t) => onlyRunId === undefined || t.runId === onlyRunId));
  }
  return out;
}

/**
 * Runs the queued deletion tasks through the paced, adaptive worker, with a progress bar on a
 * terminal (JSON progress records otherwise). SIGINT/SIGTERM stop it gracefully: no new tasks,
 * calls in flight finish, waiting ones are released for the next run.
 */
export async function applyTasks(
  config: Pick<Config, 'core' | 'aws' | 'quicksight' | 'worker' | 'plan'>,
  stores: Stores,
  logger: Logger,
  options: ApplyOptions,
): Promise<Applied> {
  const qs = buildQuickSight(config, logger);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (options.release !== undefined) await unblockTasks(stores, options.onlyRunId);
  // Every command that applies (apply, inactive, reconcile, remove, handle-event) judges idle
  // tasks again: the sections it needs for that are read here, once for all of them.
  const idleConfig = loadConfig(['inactive', 'activity'], options.io.env);
  const say = (line: string) => options.io.stderr.write(`${line}\n`);
  const beforeDelete = createBeforeDelete({
    settings: config.plan,
    snapshot: await loadSnapshotView(stores.snapshots),
    guard: new DynamoGuardWindow(stores.doc, stores.names.guard, guardWindowMs(config.plan)),
    idle: {
      settings: {
        days: idleConfig.inactive.days,
        roles: idleConfig.inactive.roles,
        maxLagMs: idleConfig.activity.maxLagMs,
        keepGroups: idleConfig.inactive.keepGroups,
      },
      namespace: config.quicksight.namespace,
      activity: new DynamoActivityStore(stores.doc, stores.names.activity),
      identities: stores.identities,
      catchUp: activityCatchUp({ ...config, activity: idleConfig.activity }, stores, logger, say),
      onCatchUpError: (error) => {
        logger.warn({ error: describeError(error) }, 'activity catch-up failed');
        say(`idle tasks: the activity catch-up failed (${describeError(error)})`);
      },
    },
    ...(options.release !== undefined ? { release: options.release } : {}),
  });
  try {
    const summary = await startWorkerRun(
      {
        tasks: options.onlyRunId
          ? onlyTasksOf(stores.tasks, options.onlyRunId, new Set(options.alsoTaskIds))
          : stores.tasks,
        audit: stores.audit,
        quickSight: qs.port,
        pacer: createWorkerPacer(config.worker.rate),
        logger,
        progress: createProgressReporter({
          tty: options.io.stderr.isTTY === true && !options.json,
          logger,
          stream: options.io.stderr,
        }),
        beforeDelete,
      },
      {
        runId: options.runId,
        worker: config.worker,
        signal: stop.signal,
        leased: options.noWait ? 'report' : 'wait',
      },
    );
    return { summary, text: formatSummary(summary) };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    qs.close();
  }
}

/** The task store as the worker sees it, limited to the tasks one plan run created (or found). */
function onlyTasksOf(
  tasks: Stores['tasks'],
  runId: string,
  also: ReadonlySet<string>,
): WorkerTaskStore {
  const mine = (t: Task) => t.runId === runId || also.has(t.taskId);
  return {
    claim: (...a) => tasks.claim(...a),
    renew: (...a) => tasks.renew(...a),
    complete: (...a) => tasks.complete(...a),
    fail: (...a) => tasks.fail(...a),
    release: (...a) => tasks.release(...a),
    block: (...a) => tasks.block(...a),
    defer: (...a) => tasks.defer(...a),
    async *claimable(nowMs: number) {
      for await (const page of tasks.claimable(nowMs)) yield page.filter(mine);
    },
    async *leased(nowMs: number) {
      for await (const page of tasks.leased(nowMs)) yield page.filter(mine);
    },
  };
}

/** BLOCKED tasks (of one plan run, when given) become PENDING: the operator released them. */
async function unblockTasks(stores: Pick<Stores, 'tasks'>, onlyRunId?: string): Promise<number> {
  const blocked: Task[] = [];
  for await (const page of stores.tasks.byStatus('BLOCKED'))
    blocked.push(...page.filter((t) => onlyRunId === undefined || t.runId === onlyRunId));
  let released = 0;
  for (const task of blocked) if (await stores.tasks.unblock(task.taskId)) released++;
  return released;
}
