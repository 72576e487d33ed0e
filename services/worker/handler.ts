import { hostname } from 'node:os';
import type { DestinationStream } from 'pino';
import { createDocumentClient, createDynamoClient } from '../../shared/aws/clients.js';
import {
  createQuickSightDeleter,
  type QuickSightDeleter,
} from '../../shared/aws/quicksight-deleter.js';
import {
  isClaimable,
  poisonRows,
  readTaskBatch,
  TaskBatchOutcomes,
} from '../../shared/aws/sqs-task-batch.js';
import { type SqsBatchResponse, sqsRecords } from '../../shared/aws/sqs-task-messages.js';
import { type ConfigFor, type Env, loadConfig } from '../../shared/config/index.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import { DynamoTaskStore, type Task } from '../../shared/dynamo/task-store.js';
import { describeError } from '../../shared/errors.js';
import type { Pacer } from '../../shared/limiter/pacer.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { emfFields } from '../../shared/metrics.js';
import { newRunId } from '../../shared/run-id.js';
import { tableNames } from '../../shared/tables.js';
import { isMemberAgain } from '../plan/rejoin-veto.js';
import { type AttemptPolicy, DEFAULT_ATTEMPT_POLICY } from './attempt-policy.js';
import { type BeforeDelete, runWorker, workerOwnerId } from './run-worker.js';
import { createWorkerPacer } from './worker-pacer.js';

/**
 * The worker Lambda, the queue's single consumer (reserved concurrency 1). Wiring only: each SQS
 * message names one durable task; the named tasks go through `runWorker` (with a task store
 * whose `claimable()` yields just them) and SQS gets a partial batch response, message by
 * message (shared/aws/sqs-task-batch.ts says which are delivered again). A poison message gets
 * an `input_error` audit row and is acknowledged, so it never loops.
 *
 * Dry run (IDSYNC_APPLY false, the default): no QuickSight call and no task change. Each named
 * live task is logged as "dry run: would delete" and every message is acknowledged; the tasks
 * stay PENDING. The plan announces every claimable task each cycle, so the first cycle after
 * apply is switched on deletes them.
 *
 * The worker does not import shared/runtime.ts (which brings the Google client) nor the
 * QuickSight SDK client: see BENCHMARKS.md, "Lambda bundles".
 */

const SECTIONS = ['quicksight', 'worker', 'lambda'] as const;
type WorkerConfig = ConfigFor<(typeof SECTIONS)[number]>;

/** Invocation time kept back for the graceful stop: calls in flight finish, waiters are released. */
export const STOP_MARGIN_MS = 20_000;
/** The lease outlives the invocation by this much (see leaseMsFor). */
export const LEASE_MARGIN_MS = 60_000;
/** Remaining time assumed without a Lambda context: the stack's worker timeout, 5 minutes. */
const DEFAULT_REMAINING_MS = 5 * 60_000;

/**
 * A claimed task's lease: longer than this invocation can still run (nobody claims the task
 * meanwhile), and far below the queue's visibility timeout (6 × the function timeout), so a
 * message delivered again after a crash finds the lease expired (WorkQueue.leaseBounds).
 */
export function leaseMsFor(remainingMs: number): number {
  return remainingMs + LEASE_MARGIN_MS;
}

/** The part of the Lambda context the worker reads. */
export interface WorkerContext {
  getRemainingTimeInMillis(): number;
}

export interface WorkerHandlerOptions {
  /** Log destination (tests); default stderr (CloudWatch Logs). */
  readonly logDestination?: DestinationStream;
  /** Retry delays of a task's calls; default DEFAULT_ATTEMPT_POLICY's (tests shorten them). */
  readonly backoff?: Partial<Pick<AttemptPolicy, 'baseMs' | 'capMs'>>;
}

interface Container {
  readonly config: WorkerConfig;
  readonly logger: Logger;
  readonly tasks: DynamoTaskStore;
  readonly audit: DynamoAuditLog;
  readonly snapshots: DynamoSnapshotStore;
  readonly quickSight: QuickSightDeleter;
  /** Kept across invocations: the rate learned from throttling carries over. */
  readonly pacer: Pacer;
  /** Members of the newest COMPLETE snapshot, cached per snapshot run. */
  members?: {
    readonly runId: string;
    readonly startedAt: string;
    readonly emails: ReadonlySet<string>;
  };
}

function startContainer(env: Env, options: WorkerHandlerOptions): Container {
  const config = loadConfig(SECTIONS, env);
  const logger = createLogger({
    level: config.core.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : { pretty: false }),
  });
  const doc = createDocumentClient(createDynamoClient(config.aws));
  const names = tableNames(config.core.tablePrefix);
  return {
    config,
    logger,
    tasks: new DynamoTaskStore(doc, names.tasks),
    audit: new DynamoAuditLog(doc, names.audit),
    snapshots: new DynamoSnapshotStore(doc, names.snapshots),
    quickSight: createQuickSightDeleter(config.aws, config.quicksight),
    pacer: createWorkerPacer(config.worker.rate),
  };
}

/**
 * The re-join check before a task's first call. A person in a configured group in the newest
 * COMPLETE snapshot is skipped only when that snapshot started after the task was created: an
 * older snapshot does not show a re-join, only the membership the task's decision already
 * overruled (a DeleteUser event handled between two snapshots).
 */
async function rejoinCheck(c: Container): Promise<BeforeDelete> {
  const [latest] = await c.snapshots.latestComplete(1);
  if (!latest) return async () => 'proceed';
  if (c.members?.runId !== latest.runId) {
    const emails = new Set<string>();
    for await (const page of c.snapshots.googleRows(latest.runId))
      for (const row of page) emails.add(row.email);
    c.members = { runId: latest.runId, startedAt: latest.startedAt, emails };
  }
  const { emails, startedAt } = c.members;
  return async (task) =>
    isMemberAgain(task, emails, startedAt)
      ? { skip: 'the person is a group member again' }
      : 'proceed';
}

/** The named tasks that exist; the others are noted (missing: settled; unreadable: again). */
async function readNamedTasks(
  c: Container,
  taskIds: readonly string[],
  outcomes: TaskBatchOutcomes,
  runId: string,
): Promise<Task[]> {
  const found = await Promise.all(
    taskIds.map(async (taskId) => {
      try {
        const task = await c.tasks.get(taskId);
        if (!task) {
          c.logger.warn({ runId, taskId }, 'message names no task; acknowledged');
          outcomes.settled(taskId);
        }
        return task;
      } catch (error) {
        c.logger.error({ runId, taskId, error: describeError(error) }, 'task could not be read');
        outcomes.unreadableTask(taskId);
        return undefined;
      }
    }),
  );
  return found.filter((t): t is Task => t !== undefined);
}

/** Builds the handler; `env` is the Lambda's environment, passed in at the edge (below). */
export function createWorkerHandler(env: Env, options: WorkerHandlerOptions = {}) {
  let container: Container | undefined;
  return async (event: unknown, context?: WorkerContext): Promise<SqsBatchResponse> => {
    container ??= startContainer(env, options);
    const c = container;
    const { config, logger } = c;
    const runId = newRunId();
    const { records, malformed } = sqsRecords(event);
    if (malformed > 0) logger.warn({ runId, malformed }, 'SQS records without a message id');
    const batch = readTaskBatch(records);
    for (const { record, reason } of batch.poison)
      logger.warn({ runId, messageId: record.messageId, reason }, 'poison message acknowledged');
    if (batch.poison.length > 0)
      await c.audit.append(poisonRows(batch, runId, new Date().toISOString()));

    const outcomes = new TaskBatchOutcomes();
    const named = await readNamedTasks(c, [...batch.messages.keys()], outcomes, runId);
    const now = Date.now();
    const live = named.filter((t) => isClaimable(t, now));
    for (const t of named) if (!isClaimable(t, now)) outcomes.settled(t.taskId);

    let failedItems = 0;
    if (!config.lambda.apply) {
      for (const { taskId, email, userName, role, reason, status } of live) {
        logger.info(
          { runId, taskId, email, userName, role, reason, status },
          'dry run: would delete',
        );
        outcomes.settled(taskId);
      }
    } else if (live.length > 0) {
      const remainingMs = context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS;
      const beforeDelete = await rejoinCheck(c);
      const summary = await runWorker(
        {
          tasks: outcomes.taskStore(c.tasks, live),
          audit: c.audit,
          quickSight: outcomes.deletes(c.quickSight, live),
          pacer: c.pacer,
          logger,
          beforeDelete,
        },
        {
          runId,
          concurrency: config.worker.concurrency,
          leaseMs: leaseMsFor(remainingMs),
          maxAttempts: DEFAULT_ATTEMPT_POLICY.maxAttempts,
          owner: workerOwnerId(hostname(), process.pid, runId),
          signal: AbortSignal.timeout(Math.max(1_000, remainingMs - STOP_MARGIN_MS)),
          ...(options.backoff ? { backoff: options.backoff } : {}),
        },
      );
      failedItems = summary.failed;
    }

    const answer = outcomes.answer(batch);
    logger.info(
      {
        ...emfFields(config.core.tablePrefix, { FailedItems: failedItems }, new Date()),
        runId,
        apply: config.lambda.apply,
        messages: records.length,
        poison: batch.poison.length,
        tasks: named.length,
        live: live.length,
        redeliver: answer.batchItemFailures.length,
      },
      'worker metrics',
    );
    return answer;
  };
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createWorkerHandler(process.env);
