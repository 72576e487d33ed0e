import { type AuditRecord, outcomeKey } from '../../../shared/dynamo/audit-store.js';
import { isGroupRole as isGroupRoleName, roleChangeKind } from '../../../shared/group-roles.js';
import { type Task, type TaskOutcome, taskAction } from '../../../shared/task.js';
import type { WorkerDeps, WorkerOptions } from './worker-ports.js';

/**
 * How a claimed task ends: its audit row first, then its final state ("outcome and audit
 * together"). A kill between the two writes leaves the task IN_PROGRESS, so a later run finishes
 * it again; a final outcome (deleted, already gone, cancelled) is written under a key fixed per
 * task execution (`outcomeKey`), so that later run finds the row and adds none: every task
 * execution has exactly one final row whatever the kill point. A failed audit write throws before
 * the state changes; the task's lease runs out and a later run finishes it.
 */

export interface EndingTask {
  readonly task: Task;
  /** Calls over every run (the task's `attempts`). */
  readonly attempts: number;
  /** When this run first called QuickSight for it (ISO), if it did. */
  readonly startedAt?: string;
}

export interface OutcomeExtra {
  readonly error?: string;
  readonly reason?: string;
  readonly confirmedOnRetry?: boolean;
}

type EndDeps = Pick<WorkerDeps, 'tasks' | 'audit' | 'logger'>;
type EndOptions = Pick<WorkerOptions, 'owner' | 'runId'>;

/** Writes the outcome row of a task execution (first of the two writes that end a task). */
export async function recordOutcome(
  deps: EndDeps,
  options: EndOptions,
  ending: EndingTask,
  outcome: TaskOutcome,
  extra: OutcomeExtra,
  finishedAt: string,
): Promise<void> {
  const { owner, runId } = options;
  const { task } = ending;
  const record = outcomeRecord({
    runId,
    owner,
    task,
    outcome,
    attempts: ending.attempts,
    startedAt: ending.startedAt ?? finishedAt,
    finishedAt,
    ...extra,
  });
  if (outcome === 'failed') {
    await deps.audit.append([record]);
    return;
  }
  const key = outcomeKey(
    { execRunId: task.execRunId ?? runId, execAt: task.execAt ?? task.updatedAt },
    task.taskId,
  );
  if ((await deps.audit.appendOnce(record, key)) === 'exists')
    deps.logger.info(
      { taskId: task.taskId, outcome },
      'outcome row already written by an earlier run',
    );
}

/**
 * Writes the task's final state, DONE or FAILED (second of the two writes, after
 * `recordOutcome`). False when the lease was lost first (the row stands; the task's new holder
 * finds it).
 */
export function recordFinalState(
  deps: EndDeps,
  options: EndOptions,
  ending: EndingTask,
  outcome: TaskOutcome,
  extra: OutcomeExtra,
): Promise<boolean> {
  const { task, attempts } = ending;
  return outcome === 'failed'
    ? deps.tasks.fail(task.taskId, options.owner, extra.error ?? 'failed', attempts)
    : deps.tasks.complete(task.taskId, options.owner, outcome, attempts);
}

/** The guard window refused the deletion: the task is kept BLOCKED, then its audit row. */
export async function blockTask(
  deps: EndDeps,
  options: EndOptions,
  ending: EndingTask,
  reason: string,
  at: string,
): Promise<void> {
  await deps.tasks.block(ending.task.taskId, options.owner, reason, ending.attempts);
  await appendHeldRow(deps, options, ending, 'blocked', reason, at);
}

/**
 * The task cannot be judged now (e.g. the idle re-judge found the activity record stale): its
 * audit row saying why, then the task back to PENDING for a later run, no attempt used.
 */
export async function deferTask(
  deps: EndDeps,
  options: EndOptions,
  ending: EndingTask,
  reason: string,
  at: string,
): Promise<void> {
  await appendHeldRow(deps, options, ending, 'deferred', reason, at);
  const giveBack = deps.tasks.defer ?? deps.tasks.release;
  await giveBack.call(deps.tasks, ending.task.taskId, options.owner, ending.attempts);
}

/** The one audit row of a task that made no QuickSight call in this run: blocked or deferred. */
function appendHeldRow(
  deps: EndDeps,
  options: EndOptions,
  ending: EndingTask,
  outcome: 'blocked' | 'deferred',
  reason: string,
  at: string,
): Promise<unknown> {
  const { owner, runId } = options;
  return deps.audit.append([
    outcomeRecord({
      runId,
      owner,
      task: ending.task,
      outcome,
      attempts: ending.attempts,
      startedAt: at,
      finishedAt: at,
      reason,
    }),
  ]);
}

export interface OutcomeFacts {
  readonly runId: string;
  readonly owner: string;
  readonly task: Task;
  readonly outcome: TaskOutcome | 'blocked' | 'deferred';
  /** QuickSight calls for this task over every run. */
  readonly attempts: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly error?: string;
  readonly reason?: string;
  /** Gone on a retry after idsync's own earlier call: that call deleted the user. */
  readonly confirmedOnRetry?: boolean;
}

/** The audit row of one task's outcome. */
export function outcomeRecord(f: OutcomeFacts): AuditRecord {
  const { task } = f;
  return {
    runId: f.runId,
    at: f.finishedAt,
    kind: 'outcome',
    email: task.email,
    userName: task.userName,
    role: task.role,
    ...(task.scope === undefined ? {} : { scope: task.scope }),
    source: task.source,
    decision: taskDecision(task),
    reason: f.reason ?? task.reason,
    outcome: f.outcome,
    attempts: f.attempts,
    detail: {
      taskId: task.taskId,
      planRunId: task.runId,
      arn: task.arn,
      identityType: task.identityType,
      ...(task.principalId !== undefined ? { principalId: task.principalId } : {}),
      ...(task.group !== undefined ? { group: task.group } : {}),
      ...(task.targetRole !== undefined ? { targetRole: task.targetRole } : {}),
      worker: f.owner,
      startedAt: f.startedAt,
      finishedAt: f.finishedAt,
      ...(f.error !== undefined ? { error: f.error } : {}),
      ...(f.confirmedOnRetry ? { confirmedOnRetry: true } : {}),
    },
  };
}

/** The decision a task carries out, as its outcome row names it: `delete`, `upgrade`, `downgrade`. */
function taskDecision(task: Task): string {
  const action = taskAction(task);
  if (action !== 'change_role' || task.targetRole === undefined) return action;
  const target = task.targetRole.toUpperCase();
  const kind = isGroupRoleName(target) ? roleChangeKind(task.role, target) : undefined;
  return kind ?? 'change_role';
}
