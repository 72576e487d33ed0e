import { type SqsBatchResponse, sqsRecords } from '../../shared/aws/sqs-task-messages.js';
import { buildQuickSight, buildStores } from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import type { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import type { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { describeError } from '../../shared/errors.js';
import {
  type Invocation,
  type LambdaContext,
  type LambdaOptions,
  lambdaHandler,
} from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import { releaseCommand } from '../../shared/release-command.js';
import { newRunId } from '../../shared/run-id.js';
import { isClaimable, isLeased, type Task } from '../../shared/task.js';
import { NoticeStore } from '../notices/notice-store.js';
import { composeRemovals, type RemovalsClients } from '../removals/compose-removals.js';
import type { ApplyScope, Removals } from '../removals/removals.js';
import { poisonRows, readTaskBatch, TaskBatchOutcomes } from './sqs-task-batch.js';

/**
 * The worker Lambda, the queue's single consumer (reserved concurrency 1). Wiring only: each SQS
 * message names one durable task; the named tasks go through `runWorker` (with a task store
 * whose `claimable()` yields just them) and SQS gets a partial batch response, message by
 * message (services/worker/sqs-task-batch.ts says which are delivered again). A poison message gets
 * an `input_error` audit row and is acknowledged, so it never loops.
 *
 * Dry run (IDSYNC_APPLY false, the default): no QuickSight or Google call and no task change. Each
 * named live task is logged as what it would do ("dry run: would delete", "… would change the role
 * of …", "… would take … out of …": services/removals/dry-run-line.ts) and every message is
 * acknowledged; the tasks
 * stay PENDING. The plan announces every claimable task each cycle, so the first cycle after
 * apply is switched on deletes them.
 *
 * Idle users (`inactive` tasks) are judged again just before the call with the plan's judgement
 * (services/removals/worker/delete-checks.ts): the activity record, the keep groups of the newest
 * COMPLETE snapshot, the pending events and, while any are pending, the identity map. The function has no CloudTrail rights and never
 * syncs: a record that lags more than IDSYNC_ACTIVITY_MAX_LAG_HOURS defers the task (PENDING
 * again, its message acknowledged; the plan announces it again next cycle, after the scheduled
 * activity sync).
 *
 * The worker builds only the clients it calls (DynamoDB, QuickSight), not shared/clients-from-config.ts's
 * IdentityStore adapter: see BENCHMARKS.md, "Lambda bundles". With IDSYNC_GOOGLE_GROUP_WRITE=on it
 * also runs `leave_group` tasks: on the first invocation it fetches the Google key as the snapshot
 * does (shared/google/lambda-google-key.ts: the Parameters and Secrets extension, the secret
 * IDSYNC_GOOGLE_CREDENTIALS_SECRET names, written 0600 to IDSYNC_GOOGLE_CREDENTIALS) and builds
 * the Google member writer, and with IDSYNC_ASSET_SUCCESSOR=manager:… the manager lookup, when
 * deployed from services/worker/google-handler.ts (this entry's bundle stays without a Google
 * client); off, no key is read.
 */

const SECTIONS = [
  'google',
  'quicksight',
  'worker',
  'plan',
  'inactive',
  'activity',
  'lambda',
  'notice',
] as const;
type WorkerConfig = ConfigFor<(typeof SECTIONS)[number]>;

/** Invocation time kept back for the graceful stop: calls in flight finish, waiters are released. */
export const STOP_MARGIN_MS = 20_000;
/** Remaining time assumed without a Lambda context: the stack's worker timeout, 5 minutes. */
const DEFAULT_REMAINING_MS = 5 * 60_000;

/** The part of the Lambda context the worker reads. */
export type WorkerContext = LambdaContext;

export interface WorkerHandlerOptions extends LambdaOptions {
  /** Retry delays of a task's calls; default DEFAULT_ATTEMPT_POLICY's (tests shorten them). */
  readonly backoff?: Extract<ApplyScope, { kind: 'tasks' }>['backoff'];
  /**
   * The Google clients of `leave_group` tasks (and the `manager:` successor's lookup), built when
   * IDSYNC_GOOGLE_GROUP_WRITE is on: services/worker/google-handler.ts passes them, the entry the
   * stack deploys when group writes are on. Absent (this entry's bundle has no Google client):
   * those tasks are deferred, with a warning at start.
   */
  readonly google?: (config: WorkerConfig) => Promise<WorkerGoogleClients>;
}

/** What the worker's Google wiring adds to the removals module's clients. */
export type WorkerGoogleClients = Pick<RemovalsClients, 'groupMembers' | 'managers'>;

/** The configuration the worker Lambda loads (its sections, with `core` and `aws`). */
export type { WorkerConfig };

/** The worker's ports, made once per container (shared/lambda/lambda-handler.ts). */
interface Container {
  readonly logger: Logger;
  readonly tasks: DynamoTaskStore;
  readonly audit: DynamoAuditLog;
  /**
   * The removals module, dry run unless IDSYNC_APPLY. Kept across invocations: the rate learned
   * from throttling carries over (a new container's pacers start from the pace remembered in the
   * guard table: services/removals/worker/task-scopes.ts), and the newest COMPLETE snapshot is
   * read once per snapshot run.
   * The idle re-judge reads the record and the identity map and never syncs (no CloudTrail
   * rights here).
   */
  readonly removals: Removals;
}

async function buildContainer(
  config: WorkerConfig,
  logger: Logger,
  options: WorkerHandlerOptions,
): Promise<Container> {
  let google: WorkerGoogleClients = {};
  if (config.plan.googleGroupWrite) {
    if (options.google) google = await options.google(config);
    else
      logger.warn(
        'IDSYNC_GOOGLE_GROUP_WRITE is on but this worker has no Google writer (entry services/worker/handler.ts): leave_group tasks are deferred; deploy services/worker/google-handler.ts',
      );
  }
  const stores = buildStores(config);
  return {
    logger,
    tasks: stores.tasks,
    audit: stores.audit,
    removals: composeRemovals(
      config,
      {
        stores,
        logger,
        ...google,
        // Every configured scope, each in its account with its role (IDSYNC_QUICKSIGHT_ACCOUNTS),
        // built as the CLI builds them; nothing closes them: they live as long as the container.
        quickSight: () => ({ ...buildQuickSight(config, logger), close() {} }),
      },
      {
        dryRun: !config.lambda.apply,
        idle: config,
        // IDSYNC_NOTICE_FROM: an idle user is deleted only as the notice rule allows.
        ...(config.notice.from
          ? {
              notices: {
                days: config.notice.days,
                store: new NoticeStore(stores.doc, stores.names.notices),
              },
            }
          : {}),
      },
    ),
  };
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
  return lambdaHandler(
    {
      name: 'worker',
      sections: SECTIONS,
      parse: (event: unknown) => event,
      build: (config, logger) => buildContainer(config, logger, options),
      run: (event, invocation) => work(event, invocation, options),
    },
    env,
    options,
  );
}

async function work(
  event: unknown,
  { config, deps: c, logger, deadline, metrics }: Invocation<WorkerConfig, Container>,
  options: WorkerHandlerOptions,
): Promise<SqsBatchResponse> {
  const runId = newRunId();
  const { records, malformed } = sqsRecords(event);
  if (malformed > 0) logger.warn({ runId, malformed }, 'SQS records without a message id');
  const batch = readTaskBatch(records);
  for (const { record, reason } of batch.poison)
    logger.warn({ runId, messageId: record.messageId, reason }, 'poison message acknowledged');
  if (batch.poison.length > 0)
    await c.audit.append(poisonRows(batch, runId, new Date().toISOString()));

  const outcomes = new TaskBatchOutcomes();
  const named = await readNamedTasks({ ...c, logger }, [...batch.messages.keys()], outcomes, runId);
  const now = Date.now();
  const live = named.filter((t) => isClaimable(t, now));
  // Finished: acknowledged. Leased by an invocation that died (its short lease runs out soon):
  // delivered again after the visibility timeout, when it is claimable.
  for (const t of named) if (!isClaimable(t, now) && !isLeased(t, now)) outcomes.settled(t.taskId);

  let failedItems = 0;
  let blocked = 0;
  let deferred = 0;
  if (live.length > 0) {
    const scope: ApplyScope = {
      kind: 'tasks',
      runId,
      logger,
      tasks: live,
      observer: outcomes,
      signal: deadline(STOP_MARGIN_MS, DEFAULT_REMAINING_MS),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    };
    const applied = await c.removals.apply(scope);
    // Dry run: each live task was logged as what it would do; its message is acknowledged.
    if (applied.dryRun) for (const { taskId } of live) outcomes.settled(taskId);
    else {
      const { summary } = applied;
      failedItems = summary.failed;
      blocked = summary.blocked;
      deferred = summary.deferred;
      if (deferred > 0) {
        logger.warn(
          { runId, deferred, reason: summary.deferReason },
          'idle tasks deferred: the activity record is not fresh enough to judge them again; run idsync activity sync',
        );
      }
      if (blocked > 0) {
        logger.warn(
          { runId, blocked },
          `guard window budget spent: tasks BLOCKED; release with ${releaseCommand()}`,
        );
      }
    }
  }

  const answer = outcomes.answer(batch);
  metrics(
    { FailedItems: failedItems, GuardTripped: blocked > 0 ? 1 : 0 },
    {
      blocked,
      deferred,
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
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createWorkerHandler(process.env);
