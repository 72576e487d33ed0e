import { hostname } from 'node:os';
import type { Config } from '../../shared/config/index.js';
import type { Task } from '../../shared/dynamo/task-store.js';
import type { Logger } from '../../shared/logger.js';
import { buildQuickSight, type Stores } from '../../shared/runtime.js';
import { isMemberAgain } from '../plan/rejoin-veto.js';
import { DEFAULT_ATTEMPT_POLICY } from '../worker/attempt-policy.js';
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
}

export interface Applied {
  readonly summary: WorkerSummary;
  readonly text: string;
}

const n = (v: number) => v.toLocaleString('en-US');

export function formatSummary(s: WorkerSummary): string {
  const seconds = s.elapsedMs / 1000;
  return [
    `applied: ${n(s.deleted)} deleted, ${n(s.alreadyGone)} already gone, ${n(s.cancelled)} cancelled (re-joined), ${n(s.failed)} failed${s.stopped ? `, ${n(s.released)} left for the next run (stopped)` : ''}`,
    `  ${n(s.calls)} QuickSight calls, ${n(s.throttledCalls)} throttled, in ${seconds.toFixed(1)} s (${s.effectiveRate.toFixed(1)} users/s)`,
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
  config: Pick<Config, 'core' | 'aws' | 'quicksight' | 'worker'>,
  stores: Stores,
  logger: Logger,
  options: ApplyOptions,
): Promise<Applied> {
  const qs = buildQuickSight(config, logger);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const members = await currentMembers(stores);
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
        beforeDelete: async (task) =>
          isMemberAgain(task, members.emails, members.asOf)
            ? { skip: 'the person is a group member again' }
            : 'proceed',
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
    async *claimable(nowMs: number) {
      for await (const page of tasks.claimable(nowMs)) yield page.filter((t) => t.runId === runId);
    },
  };
}

/** Members of the newest COMPLETE snapshot: a task of someone who is a member again never runs. */
async function currentMembers(
  stores: Pick<Stores, 'snapshots'>,
): Promise<{ emails: Set<string>; asOf: string }> {
  const emails = new Set<string>();
  const [latest] = await stores.snapshots.latestComplete(1);
  if (!latest) return { emails, asOf: '' };
  for await (const page of stores.snapshots.googleRows(latest.runId))
    for (const row of page) emails.add(row.email);
  return { emails, asOf: latest.startedAt };
}
