import { hostname } from 'node:os';
import type { Config } from '../../shared/config/index.js';
import { DynamoGuardWindow } from '../../shared/dynamo/guard-window-store.js';
import type { Task } from '../../shared/dynamo/task-store.js';
import type { Logger } from '../../shared/logger.js';
import { buildQuickSight, type Stores } from '../../shared/runtime.js';
import { DEFAULT_ATTEMPT_POLICY } from '../worker/attempt-policy.js';
import { createBeforeDelete, loadSnapshotView } from '../worker/delete-checks.js';
import { createProgressReporter } from '../worker/progress.js';
import { runWorker, type WorkerTaskStore, workerOwnerId } from '../worker/run-worker.js';
import { createWorkerPacer } from '../worker/worker-pacer.js';
import type { WorkerSummary } from '../worker/worker-tally.js';
import type { CliIo } from './io.js';

/** A claimed task's lease: long enough for its retries' backoff (capped at 15 s) and a slow call. */
export const LEASE_MS = 60_000;

export interface ApplyOptions {
  readonly runId: string;
  readonly io: CliIo;
  readonly json: boolean;
  /** Only these tasks' plan run (remove --csv / handle-event apply what they planned). */
  readonly onlyRunId?: string;
  /**
   * `--max-deletions N`: the operator releases BLOCKED tasks and lets this run make up to N
   * deletions beyond the guard window's budget.
   */
  readonly release?: number;
}

export interface Applied {
  readonly summary: WorkerSummary;
  readonly text: string;
}

const n = (v: number) => v.toLocaleString('en-US');

export function formatSummary(s: WorkerSummary): string {
  const seconds = s.elapsedMs / 1000;
  return [
    `applied: ${n(s.deleted)} deleted, ${n(s.alreadyGone)} already gone, ${n(s.cancelled)} cancelled (re-joined or protected), ${n(s.failed)} failed${s.blocked > 0 ? `, ${n(s.blocked)} blocked` : ''}${s.stopped ? `, ${n(s.released)} left for the next run (stopped)` : ''}`,
    `  ${n(s.calls)} QuickSight calls, ${n(s.throttledCalls)} throttled, in ${seconds.toFixed(1)} s (${s.effectiveRate.toFixed(1)} users/s)`,
    ...(s.blocked > 0
      ? [
          `  GUARD: ${n(s.blocked)} deletions were BLOCKED: the guard window's budget (IDSYNC_MAX_DELETIONS within IDSYNC_GUARD_WINDOW_HOURS) is spent.`,
          '  They stay queued as BLOCKED. Check they are intended (idsync audit), then release them for one run:',
          `    idsync apply --max-deletions ${Math.max(s.blocked, 1)}`,
        ]
      : []),
    ...(s.failed > 0
      ? [
          '  Failed tasks stay queued and are retried by the next run; see idsync audit for their errors.',
        ]
      : []),
  ].join('\n');
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
  const beforeDelete = createBeforeDelete({
    settings: config.plan,
    snapshot: await loadSnapshotView(stores.snapshots),
    guard: new DynamoGuardWindow(
      stores.doc,
      stores.names.guard,
      config.plan.guardWindowHours * 3_600_000,
    ),
    ...(options.release !== undefined ? { release: options.release } : {}),
  });
  try {
    const summary = await runWorker(
      {
        tasks: options.onlyRunId ? onlyTasksOf(stores.tasks, options.onlyRunId) : stores.tasks,
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
        concurrency: config.worker.concurrency,
        leaseMs: LEASE_MS,
        maxAttempts: DEFAULT_ATTEMPT_POLICY.maxAttempts,
        owner: workerOwnerId(hostname(), process.pid, options.runId),
        signal: stop.signal,
      },
    );
    return { summary, text: formatSummary(summary) };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    qs.close();
  }
}

/** The task store as the worker sees it, limited to the tasks one plan run created. */
function onlyTasksOf(tasks: Stores['tasks'], runId: string): WorkerTaskStore {
  return {
    claim: (...a) => tasks.claim(...a),
    renew: (...a) => tasks.renew(...a),
    complete: (...a) => tasks.complete(...a),
    fail: (...a) => tasks.fail(...a),
    release: (...a) => tasks.release(...a),
    block: (...a) => tasks.block(...a),
    async *claimable(nowMs: number) {
      for await (const page of tasks.claimable(nowMs)) yield page.filter((t) => t.runId === runId);
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
