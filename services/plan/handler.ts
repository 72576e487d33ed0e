import { createSnsClient, createSqsClient } from '../../shared/aws/clients.js';
import { SnsOperatorNotices } from '../../shared/aws/sns-operator-notices.js';
import { announceClaimableTasks, type TaskQueuePort } from '../../shared/aws/sqs-task-messages.js';
import { workerQueue } from '../../shared/aws/sqs-task-queue.js';
import { buildStores, type Stores } from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import type { SnapshotStatus } from '../../shared/domain.js';
import { PartialSnapshotError, UsageError } from '../../shared/errors.js';
import { readWork } from '../../shared/held-work.js';
import {
  type Invocation,
  type LambdaOptions,
  lambdaHandler,
} from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import {
  type OperatorNotices,
  planRunNotice,
  publishRunSummary,
} from '../../shared/operator-notices.js';
import { newRunId } from '../../shared/run-id.js';
import { composeRemovals } from '../removals/compose-removals.js';
import type { PlanRunResult, Removals } from '../removals/removals.js';

/**
 * The plan Lambda: wiring only. Invoked by the snapshot's on-success Lambda destination (the
 * snapshot summary is the record's `responsePayload`), by an EventBridge schedule, or by hand
 * with `{}`. It skips a cycle whose snapshot is PARTIAL (no decision from a PARTIAL snapshot;
 * the PartialSnapshot alarm has already fired), runs `runPlan` (leavers, pending DeleteUser
 * events; every `delete` becomes a durable task), then announces every claimable task on the
 * worker queue, one message per task. Announcing all of them, not only the new ones, makes the
 * queue level-triggered like the plan: a task left PENDING by a dry run, FAILED after its
 * retries, or orphaned by a crash is announced again next cycle. A tripped guard announces
 * nothing and emits GuardTripped 1. Every cycle emits HeldTasks (tasks held over an hour,
 * shared/held-work.ts); a cycle that newly held removals (guard tripped, or the guard window's
 * budget spent) publishes a summary to the operator topic (shared/operator-notices.ts).
 */

const SECTIONS = ['quicksight', 'plan', 'lambda'] as const;
type PlanConfig = ConfigFor<(typeof SECTIONS)[number]>;

export type PlanTrigger =
  | {
      readonly kind: 'snapshot';
      readonly snapshotRunId: string;
      readonly status: SnapshotStatus;
      readonly reason?: string;
    }
  | { readonly kind: 'schedule'; readonly eventId?: string; readonly time?: string }
  | { readonly kind: 'manual' };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads what invoked the plan: a Lambda destination record of a successful snapshot, an
 * EventBridge scheduled event, or `{}`. Anything else is a UsageError.
 */
export function parsePlanTrigger(event: unknown): PlanTrigger {
  if (event === undefined || event === null) return { kind: 'manual' };
  if (!isObject(event))
    throw new UsageError('plan event must be a destination record, a scheduled event or {}');
  if ('requestContext' in event || 'responsePayload' in event) {
    const context = isObject(event.requestContext) ? event.requestContext : {};
    if (context.condition !== undefined && context.condition !== 'Success') {
      throw new UsageError(
        `plan invoked by a destination record of condition ${JSON.stringify(context.condition)}`,
      );
    }
    const summary = event.responsePayload;
    if (
      !isObject(summary) ||
      typeof summary.runId !== 'string' ||
      (summary.status !== 'COMPLETE' && summary.status !== 'PARTIAL')
    ) {
      throw new UsageError('destination record has no snapshot summary as responsePayload');
    }
    return {
      kind: 'snapshot',
      snapshotRunId: summary.runId,
      status: summary.status,
      ...(typeof summary.reason === 'string' ? { reason: summary.reason } : {}),
    };
  }
  if (event['detail-type'] === undefined && event.source === undefined) return { kind: 'manual' };
  if (event['detail-type'] !== 'Scheduled Event' || event.source !== 'aws.events') {
    throw new UsageError(
      `plan event is not a scheduled event (detail-type ${JSON.stringify(event['detail-type'])}, source ${JSON.stringify(event.source)})`,
    );
  }
  return {
    kind: 'schedule',
    ...(typeof event.id === 'string' ? { eventId: event.id } : {}),
    ...(typeof event.time === 'string' ? { time: event.time } : {}),
  };
}

export interface PlanHandlerOptions extends LambdaOptions {
  /** Where task messages go; default SQS at IDSYNC_WORKER_QUEUE_URL. Tests pass memory. */
  readonly queue?: TaskQueuePort;
  /** Where run summaries go; default the SNS topic at IDSYNC_OPERATOR_TOPIC_ARN (none: unset). */
  readonly notices?: OperatorNotices;
}

interface PlanDeps {
  readonly stores: Stores;
  readonly removals: Removals;
  readonly queue: TaskQueuePort;
  readonly notices?: OperatorNotices;
}

function buildDeps(config: PlanConfig, logger: Logger, options: PlanHandlerOptions): PlanDeps {
  const stores = buildStores(config);
  const topicArn = config.lambda.operatorTopicArn;
  const notices =
    options.notices ??
    (topicArn ? new SnsOperatorNotices(createSnsClient(config.aws), topicArn) : undefined);
  return {
    stores,
    // The plan function queues tasks and never deletes: the worker function applies them.
    removals: composeRemovals(config, { stores, logger }, { dryRun: false }),
    queue: workerQueue(config.lambda, () => createSqsClient(config.aws), options.queue),
    ...(notices ? { notices } : {}),
  };
}

export interface PlanHandlerSummary {
  readonly runId: string;
  readonly trigger: PlanTrigger['kind'];
  /** Why nothing was planned (PARTIAL snapshot, no COMPLETE snapshot yet). */
  readonly skipped?: string;
  readonly snapshot?: string;
  readonly counts?: PlanRunResult['plan']['counts'];
  readonly guardTripped: boolean;
  readonly tasks?: PlanRunResult['tasks'];
  /** Task messages sent to the worker queue. */
  readonly announced: number;
}

/** Builds the handler; `env` is the Lambda's environment, passed in at the edge (below). */
export function createPlanHandler(env: Env, options: PlanHandlerOptions = {}) {
  return lambdaHandler(
    {
      name: 'plan',
      sections: SECTIONS,
      parse: parsePlanTrigger,
      build: (config, logger) => buildDeps(config, logger, options),
      run: (trigger, invocation) => plan(trigger, invocation),
    },
    env,
    options,
  );
}

async function plan(
  trigger: PlanTrigger,
  { config, deps, logger, metrics }: Invocation<PlanConfig, PlanDeps>,
): Promise<PlanHandlerSummary> {
  const { stores, removals, queue } = deps;
  const runId = newRunId();
  const finish = async (summary: PlanHandlerSummary) => {
    // Held work is counted every cycle, whatever this one planned: its alarm fires after an hour.
    const held = await readWork(stores.tasks, Date.now());
    metrics(
      { GuardTripped: summary.guardTripped ? 1 : 0, HeldTasks: held.heldOverAnHour },
      { ...summary, held: held.held, oldestHeldSeconds: held.oldestHeldSeconds },
      'plan metrics',
    );
    return summary;
  };
  const skip = (skipped: string) => {
    logger.warn({ runId, trigger }, `plan skipped: ${skipped}`);
    return finish({ runId, trigger: trigger.kind, skipped, guardTripped: false, announced: 0 });
  };
  if (trigger.kind === 'snapshot' && trigger.status === 'PARTIAL') {
    return skip(
      `snapshot ${trigger.snapshotRunId} is PARTIAL (${trigger.reason ?? 'no reason given'})`,
    );
  }
  let result: PlanRunResult;
  try {
    result = await removals.plan({ kind: 'leavers', runId, logger });
  } catch (error) {
    if (error instanceof PartialSnapshotError) return skip(error.message);
    throw error;
  }
  const tripped = result.plan.guard.tripped;
  const announced = tripped ? 0 : await announceClaimableTasks(stores.tasks, queue, runId);
  const summary = planRunNotice({
    deployment: config.core.tablePrefix,
    runId,
    tripped,
    reasons: result.plan.guard.reasons,
    newlyHeld: result.tasks.blocked,
    work: await readWork(stores.tasks, Date.now()),
  });
  if (summary) await publishRunSummary(deps.notices, summary, logger);
  return finish({
    runId,
    trigger: trigger.kind,
    snapshot: result.snapshot.runId,
    counts: result.plan.counts,
    // The guard window blocking deletions raises the same alarm (tasks kept BLOCKED).
    guardTripped: tripped || result.tasks.blocked > 0,
    tasks: result.tasks,
    announced,
  });
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createPlanHandler(process.env);
