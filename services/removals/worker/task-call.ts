import { type AuditRecord, outcomeKey } from '../../../shared/dynamo/audit-store.js';
import { describeError } from '../../../shared/errors.js';
import { isGroupRole as isGroupRoleName, roleChangeKind } from '../../../shared/group-roles.js';
import { scopeKeyOf } from '../../../shared/quicksight-scopes.js';
import { UNNAMED_USER } from '../../../shared/quicksight-user-rules.js';
import { needsHandover } from '../../../shared/removal-rules.js';
import { type Task, type TaskOutcome, taskAction } from '../../../shared/task.js';
import type { CallResult } from './pacing/call-pacing.js';
import type { WorkerDeps, WorkerOptions } from './worker-ports.js';

/**
 * A task's one call, by its action (shared/task.ts, TASK_ACTIONS): QuickSight `DeleteUser` (or
 * `DeleteUserByPrincipalId`), QuickSight `UpdateUser` for a role change, Google Directory
 * `members.delete` for a group removal; and the pacer of the service called. Answers and errors
 * come back as a CallResult for the attempt policy (./pacing/call-pacing.ts). Before the call, the
 * handover of the user's assets when the task needs one (`handOverFirst`); after it, how the task
 * ends (`recordOutcome` and the others below).
 */

/** The outcome row's reason when a retry finds the user gone after idsync's own earlier call. */
export const CONFIRMED_REASON =
  'deleted by idsync: an earlier call (maybe by a worker that stopped) removed the user; confirmed gone on retry';

/** The outcome row's reason when a retry finds the person out of the group after idsync's call. */
export const LEFT_CONFIRMED_REASON =
  'taken out of the group by idsync: an earlier call (maybe by a worker that stopped) removed the member; confirmed gone on retry';

/** Why a `leave_group` task is given back unrun where no Google writer was built. */
export const NO_GROUP_WRITER_REASON =
  'no Google group writer in this process (IDSYNC_GOOGLE_GROUP_WRITE=on, run with idsync apply): the group removal waits';

/** Why a task of a QuickSight scope that is not configured (any more) is not called. */
export function unconfiguredScopeReason(task: Pick<Task, 'scope'>, home: string): string {
  return `QuickSight scope ${scopeKeyOf(task, home)} is not among IDSYNC_QUICKSIGHT_ACCOUNTS: not called (never sent to another account or namespace); held until it is configured again`;
}

/**
 * The pacer of the task's service: Google's for a group removal, otherwise QuickSight's of the
 * task's account (WorkerDeps.scopeOf), the home account's when there is none.
 */
export function pacerOfTask(
  deps: Pick<WorkerDeps, 'pacer' | 'groupMembers' | 'scopeOf'>,
  task: Task,
) {
  if (taskAction(task) === 'leave_group' && deps.groupMembers) return deps.groupMembers.pacer;
  return deps.scopeOf?.(task)?.pacer ?? deps.pacer;
}

/** The task's one call (QuickSight in the task's own scope, or Google for a group removal). */
export async function callOfTask(
  deps: Pick<WorkerDeps, 'quickSight' | 'groupMembers' | 'scopeOf'>,
  task: Task,
): Promise<CallResult> {
  if (taskAction(task) === 'leave_group') return leaveGroup(deps.groupMembers, task);
  const qs = deps.scopeOf ? deps.scopeOf(task)?.quickSight : deps.quickSight;
  if (!qs) return { ok: false, error: new Error(unconfiguredScopeReason(task, '(home)')) };
  if (taskAction(task) === 'change_role') return changeRole(qs, task);
  try {
    if (task.userName !== UNNAMED_USER)
      return { ok: true, outcome: await qs.deleteUser(task.userName) };
    if (!task.principalId) return { ok: false, error: new Error('user N/A has no principal id') };
    return { ok: true, outcome: await qs.deleteUserByPrincipalId(task.principalId) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `members.delete` of the task's person from its group; a member already gone is not found. */
async function leaveGroup(groups: WorkerDeps['groupMembers'], task: Task): Promise<CallResult> {
  if (!groups || task.group === undefined)
    return { ok: false, error: new Error(NO_GROUP_WRITER_REASON) };
  try {
    const answer = await groups.writer.removeMember(task.group, task.email);
    return { ok: true, outcome: answer === 'removed' ? 'deleted' : 'not_found' };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * A `change_role` task's call: UpdateUser to the task's target role through the adapter, which
 * reads the user first and sends nothing when it holds the role already (so a task run again
 * after a kill sends no second UpdateUser). A user without a name (`N/A`) cannot be updated.
 */
async function changeRole(qs: WorkerDeps['quickSight'], task: Task): Promise<CallResult> {
  if (!qs.updateUserRole)
    return { ok: false, error: new Error('this QuickSight port cannot change roles') };
  if (task.targetRole === undefined)
    return { ok: false, error: new Error('change_role task without a target role') };
  if (task.userName === UNNAMED_USER)
    return { ok: false, error: new Error('UpdateUser needs a user name; this user has none') };
  try {
    return { ok: true, outcome: `role:${await qs.updateUserRole(task.userName, task.targetRole)}` };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The outcome row's reason when the user held the target role already. */
export function alreadyInRoleReason(task: Pick<Task, 'targetRole'>): string {
  return `already ${task.targetRole} when read just before the call (an earlier call of this task, or a change by hand): no UpdateUser sent`;
}

/**
 * The worker's step before a task's call (./run-worker.ts): when the task would leave the user's
 * assets without an owner (`needsHandover`, or a Reader the record shows held a role that can
 * own: `heldOwningRole`, an unreadable record counting as yes), the HandOverAssets port runs
 * first. Undefined: the call may be sent; a string: the task is deferred with that reason.
 */
export async function handOverFirst(
  deps: Pick<WorkerDeps, 'handOver' | 'heldOwningRole' | 'logger'>,
  task: Task,
): Promise<string | undefined> {
  if (!deps.handOver) return undefined;
  if (!needsHandover(task) && !(await heldOwningRole(deps, task))) return undefined;
  try {
    const handover = await deps.handOver(task);
    return handover.kind === 'deferred' ? handover.reason : undefined;
  } catch (error) {
    return `asset handover failed: ${describeError(error)}`;
  }
}

/** The record shows the user held a role that can own assets (an error: assume it did). */
async function heldOwningRole(
  deps: Pick<WorkerDeps, 'heldOwningRole' | 'logger'>,
  task: Task,
): Promise<boolean> {
  if (!deps.heldOwningRole) return false;
  try {
    return await deps.heldOwningRole(task);
  } catch (error) {
    deps.logger.warn(
      { taskId: task.taskId, error: describeError(error) },
      'activity record not read: the asset handover searches anyway',
    );
    return true;
  }
}

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
