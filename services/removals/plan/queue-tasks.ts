import type { Decision } from '../../../shared/domain.js';
import type { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { Logger } from '../../../shared/logger.js';
import {
  CANCELLABLE_STATUSES,
  type NewTask,
  taskIdOfDecision,
  taskOfDecision,
} from '../../../shared/task.js';
import { MAX_PARTITION_KEY_BYTES, shownValue } from '../../../shared/value-limits.js';
import { isGuardedChange } from './guard.js';

/** What a plan queued: counts and the ids a producer sends on (services/removals/plan/run-plan.ts). */
export interface QueuedTasks {
  readonly created: number;
  readonly existing: number;
  readonly cancelled: number;
  /** Tasks created BLOCKED (beyond the guard window's budget, or held by the tripped guard). */
  readonly blocked: number;
  /** Ids of the PENDING tasks this run created: what a producer sends to the worker queue. */
  readonly createdTaskIds: readonly string[];
  /**
   * Ids of the tasks this plan's deletions found already queued (live, e.g. left by a killed
   * run, or DONE since the snapshot was taken): a CLI run that applies its own plan runs
   * the live ones too.
   */
  readonly existingTaskIds?: readonly string[];
}

/** Task writes in flight at once while a plan queues its tasks. */
const QUEUE_CONCURRENCY = 16;

/**
 * Queues a task per `delete` and per `leave_group` (PENDING) and per window-`blocked` deletion or
 * write of a QuickSight account over its own guard limits (`accountHeld`) (BLOCKED; with
 * `holdGuarded`, every guard-`blocked` one too: the plan's guard tripped), all or none:
 * every task key is checked before the first write, and when a write fails part-way the tasks
 * this run created are withdrawn again (conditional delete: only still PENDING/BLOCKED tasks of
 * this run) before the error is passed on. A process killed between two writes cannot
 * withdraw; what it queued are complete, guarded decisions of this plan, and the next plan
 * (level-triggered) re-derives the rest.
 */
export async function queueAllOrNone(
  deps: {
    readonly tasks: Pick<DynamoTaskStore, 'enqueue' | 'withdraw'> &
      Partial<Pick<DynamoTaskStore, 'get' | 'cancel'>>;
    readonly logger: Pick<Logger, 'error'>;
  },
  options: { readonly namespace: string; readonly runId: string },
  decisions: readonly Decision[],
  dataFrom: string,
  holdGuarded = false,
): Promise<QueuedTasks> {
  const queued: Array<{ task: NewTask; blockReason?: string }> = [];
  for (const d of decisions) {
    const user = d.quickSightUser;
    const held =
      d.decision === 'blocked' &&
      (d.windowBlocked === true || d.accountHeld === true || holdGuarded);
    if (!user || !(isGuardedChange(d) || held)) continue;
    const taskId = taskIdOfDecision(options.namespace, d, user);
    if (Buffer.byteLength(taskId, 'utf8') > MAX_PARTITION_KEY_BYTES) {
      throw new Error(
        `task key of ${shownValue(user.userName)} exceeds ${MAX_PARTITION_KEY_BYTES} bytes`,
      );
    }
    queued.push({
      task: taskOfDecision(d, user, taskId, options.runId),
      ...(d.decision === 'blocked' ? { blockReason: d.reason } : {}),
    });
  }
  // Conditional puts, up to QUEUE_CONCURRENCY in flight: one at first, one more after each
  // success (a table that refuses writes costs one write, not sixteen). After the first failure
  // no more are sent; once those in flight have settled, what this run created is withdrawn.
  const outcomes: Array<'created' | 'existing' | undefined> = new Array(queued.length);
  const inFlight = new Map<number, Promise<void>>();
  let succeeded = 0;
  let failure: { error: unknown } | undefined;
  for (const [i, { task, blockReason }] of queued.entries()) {
    while (inFlight.size >= Math.min(QUEUE_CONCURRENCY, 1 + succeeded))
      await Promise.race(inFlight.values());
    if (failure !== undefined) break;
    const write = (async () => {
      try {
        const outcome = await deps.tasks.enqueue(task, blockReason, dataFrom);
        outcomes[i] = outcome === 'created' ? 'created' : 'existing';
        succeeded++;
      } catch (error) {
        failure ??= { error };
      } finally {
        inFlight.delete(i);
      }
    })();
    // Not when it already settled (a store that throws before its first await).
    if (outcomes[i] === undefined && failure === undefined) inFlight.set(i, write);
  }
  await Promise.all(inFlight.values());
  if (failure === undefined)
    for (const [i, { task, blockReason }] of queued.entries())
      if (outcomes[i] === 'existing' && (await retargeted(deps.tasks, task, blockReason, dataFrom)))
        outcomes[i] = 'created';
  const created = queued.filter((_, i) => outcomes[i] === 'created');
  if (failure !== undefined) {
    let withdrawn = 0;
    for (const { task } of created) {
      try {
        if (await deps.tasks.withdraw(task.taskId, options.runId)) withdrawn++;
      } catch {
        // Still unreachable: the task stays; it is a complete, guarded decision of this plan.
      }
    }
    deps.logger.error(
      { runId: options.runId, queued: created.length, withdrawn },
      'queuing the plan failed part-way; the tasks it queued were withdrawn',
    );
    throw failure.error;
  }
  const createdPending = created
    .filter((q) => q.blockReason === undefined)
    .map((q) => q.task.taskId);
  const existing = queued.filter((_, i) => outcomes[i] === 'existing').map((q) => q.task.taskId);
  return {
    created: createdPending.length,
    existing: existing.length,
    cancelled: 0,
    blocked: created.length - createdPending.length,
    createdTaskIds: createdPending,
    existingTaskIds: existing,
  };
}

/**
 * A role change whose user already has a live `change_role` task with another target (the person
 * moved again before it ran): the old task is cancelled and this one queued, but only while the
 * old one has not started (PENDING, FAILED, BLOCKED: the conditional `cancel`). A task at work
 * (IN_PROGRESS) is left alone: the worker's check before the call finds its target no longer
 * holds and cancels it, and the next plan queues the new one. True when this task was queued.
 */
async function retargeted(
  tasks: Partial<Pick<DynamoTaskStore, 'get' | 'cancel' | 'enqueue'>>,
  task: NewTask,
  blockReason: string | undefined,
  dataFrom: string,
): Promise<boolean> {
  if (task.targetRole === undefined || !tasks.get || !tasks.cancel || !tasks.enqueue) return false;
  const live = await tasks.get(task.taskId);
  if (!live || live.targetRole === undefined || live.targetRole === task.targetRole) return false;
  if (!(CANCELLABLE_STATUSES as readonly string[]).includes(live.status)) return false;
  const reason = `the groups now give ${task.targetRole}, not ${live.targetRole}: replaced by a new role change`;
  if (!(await tasks.cancel(task.taskId, reason))) return false;
  return (await tasks.enqueue(task, blockReason, dataFrom)) === 'created';
}
