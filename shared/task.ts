import type { Decision, QuickSightUser } from './domain.js';
import { scopeKeyOf } from './quicksight-scopes.js';
import { quickSightUserKey } from './quicksight-user-rules.js';

/**
 * Durable deletion tasks, one per QuickSight user: their states and the rules on them (pure;
 * the table is shared/dynamo/task-store.ts, where every state change is a conditional write):
 *
 *   enqueue ──► PENDING ──claim──► IN_PROGRESS ──complete──► DONE | CANCELLED
 *                 ▲  │                 │  │ └──fail──► FAILED ──claim──► IN_PROGRESS …
 *                 │  └─cancel─► CANCELLED  └──release──► PENDING
 *                 └── lease expired: claimable again
 *
 *   IN_PROGRESS ──block──► BLOCKED ──unblock (operator override)──► PENDING
 *   enqueue(BLOCKED) ──► BLOCKED        (the cross-run guard window's budget is spent)
 *
 *   enqueue(review) ──► AWAITING_APPROVAL ──approve──► PENDING        (services/review/)
 *   BLOCKED ──hold for review──► AWAITING_APPROVAL ──reject / expire──► CANCELLED
 *
 * AWAITING_APPROVAL is live but never claimable: only the approval of its review
 * (`reviewRunId`) turns it into PENDING; a rejected or expired review cancels it.
 * BLOCKED is live (re-planning leaves it) but never claimable: only `idsync apply
 * --max-deletions N` turns it back into PENDING. A re-join cancels it like a PENDING task.
 * A task that is PENDING, IN_PROGRESS or FAILED is live: re-planning leaves it as is. DONE and
 * CANCELLED are final for that task, but a new task may replace them (a re-created user).
 */

export const TASK_STATUSES = [
  'PENDING',
  'IN_PROGRESS',
  'DONE',
  'FAILED',
  'CANCELLED',
  'BLOCKED',
  'AWAITING_APPROVAL',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskOutcome =
  | 'deleted'
  | 'already_gone'
  | 'failed'
  | 'cancelled'
  | 'role_changed'
  | 'left_group';

/**
 * What the worker does for a task (absent on rows written before the field existed: `delete`):
 * - `delete`: QuickSight `DeleteUser` (or `DeleteUserByPrincipalId`) of an IAM or QUICKSIGHT user;
 * - `change_role`: QuickSight `UpdateUser` to `targetRole` (IAM and QUICKSIGHT users only);
 * - `leave_group`: the person is taken out of the Google group `group` that grants an
 *   IAM_IDENTITY_CENTER user its seat (Directory API `members.delete`).
 * Before a `delete` or a `change_role` away from a role that can own assets, the worker hands the
 * user's assets over (services/removals/worker/handover-port.ts).
 */
export const TASK_ACTIONS = ['delete', 'change_role', 'leave_group'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** The task's action; rows without one are deletions. */
export function taskAction(task: Pick<Task, 'action'>): TaskAction {
  return task.action ?? 'delete';
}

export interface Task {
  readonly taskId: string;
  readonly status: TaskStatus;
  /** The plan run that created the task. */
  readonly runId: string;
  readonly email: string;
  readonly userName: string;
  readonly principalId?: string;
  readonly arn: string;
  readonly role: string;
  readonly identityType: string;
  readonly source: string;
  readonly reason: string;
  /**
   * The key of the QuickSight account and namespace the user is in (`QuickSightScope.key`,
   * shared/quicksight-scopes.ts): the worker calls that account, with its role, in that
   * namespace. Absent: the home account's configured namespace (tasks written before several
   * scopes existed).
   */
  readonly scope?: string;
  /** What the worker does (see TASK_ACTIONS); absent: `delete`. */
  readonly action?: TaskAction;
  /** `change_role`: the QuickSight role the user is changed to. */
  readonly targetRole?: string;
  /** `leave_group`: the Google group (email) the person is taken out of. */
  readonly group?: string;
  /** `remove --csv --keep-members`: membership still vetoes this CSV task (shared/removal-rules.ts). */
  readonly keepMembers?: boolean;
  /**
   * `inactive` tasks: the N days of the idle rule the plan used; the worker judges the user again
   * with them just before the call (services/removals/idle/idle-recheck.ts). Tasks written before the
   * field existed are judged with the configured IDSYNC_INACTIVE_DAYS.
   */
  readonly idleDays?: number;
  /** The monthly review (services/review/) this task awaits, or awaited, approval in. */
  readonly reviewRunId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** QuickSight calls made for this task, over every run. */
  readonly attempts: number;
  readonly leaseOwner?: string;
  /** Epoch ms. */
  readonly leaseUntil?: number;
  readonly outcome?: TaskOutcome;
  readonly lastError?: string;
  /** Why the task was cancelled before it ran (e.g. the person re-joined). */
  readonly cancelReason?: string;
  /** Why the task is BLOCKED (the guard window's budget was spent). */
  readonly blockReason?: string;
  /**
   * The run that started this execution of the task and when (set by the claim that takes a
   * PENDING or FAILED task, kept by a take-over of an expired lease, cleared by fail/release):
   * the key of its one final outcome row (shared/dynamo/audit-store.ts, outcomeKey).
   */
  readonly execRunId?: string;
  readonly execAt?: string;
}

/**
 * The status sets the rules below and the table's conditions (shared/dynamo/task-conditions.ts)
 * are made of: a new state is added to TASK_STATUSES and to the sets it belongs to, here only.
 */
/** The statuses a worker may claim at once; IN_PROGRESS too once its lease has expired. */
export const CLAIMABLE_STATUSES = ['PENDING', 'FAILED'] as const satisfies readonly TaskStatus[];
/** Not started, so a re-join or an operator may cancel it. */
export const CANCELLABLE_STATUSES = [
  'PENDING',
  'FAILED',
  'BLOCKED',
] as const satisfies readonly TaskStatus[];
/** Final for that task: `enqueue` may replace it with a new one (a re-created user). */
export const REPLACEABLE_STATUSES = ['DONE', 'CANCELLED'] as const satisfies readonly TaskStatus[];
/** Queued and untouched: a plan that fails half-way withdraws those it created. */
export const WITHDRAWABLE_STATUSES = [
  'PENDING',
  'BLOCKED',
] as const satisfies readonly TaskStatus[];

/**
 * Claimable now: PENDING, FAILED, or IN_PROGRESS with an expired lease. The one statement of
 * the rule: `claimable()`, `claim()` and the worker Lambda's batch all follow it.
 */
export function isClaimable(task: Pick<Task, 'status' | 'leaseUntil'>, nowMs: number): boolean {
  return (
    (CLAIMABLE_STATUSES as readonly string[]).includes(task.status) ||
    (task.status === 'IN_PROGRESS' && (task.leaseUntil ?? 0) < nowMs)
  );
}

/** IN_PROGRESS under a lease that has not expired: another worker (or this one) holds it. */
export function isLeased(task: Pick<Task, 'status' | 'leaseUntil'>, nowMs: number): boolean {
  return task.status === 'IN_PROGRESS' && (task.leaseUntil ?? 0) >= nowMs;
}

/** What the planner provides; the store adds status, attempts and timestamps. */
export type NewTask = Pick<
  Task,
  | 'taskId'
  | 'runId'
  | 'email'
  | 'userName'
  | 'principalId'
  | 'arn'
  | 'role'
  | 'identityType'
  | 'source'
  | 'reason'
  | 'keepMembers'
  | 'idleDays'
  | 'action'
  | 'targetRole'
  | 'group'
  | 'scope'
> & { readonly createdAt?: string };

/**
 * `<scope>#<userName>`, or `<scope>#N/A#<principalId>` for users named `N/A`; `scope` is the key
 * of the user's QuickSight account and namespace (`QuickSightScope.key`: the namespace alone in
 * the home account).
 */
export function taskIdFor(
  namespace: string,
  user: Pick<QuickSightUser, 'userName' | 'principalId'>,
): string {
  return `${namespace}#${quickSightUserKey(user)}`;
}

/**
 * The task id of a `leave_group` task: `<namespace>#group#<email>#<group>` (one per person and
 * group, apart from the user's deletion task).
 */
export function groupTaskIdFor(namespace: string, email: string, group: string): string {
  return `${namespace}#group#${email}#${group}`;
}

/**
 * The task id of a role change (`change_role`) of a QuickSight user: apart from its deletion
 * task, so a user has at most one live role change and at most one live deletion.
 */
export function roleTaskIdFor(
  namespace: string,
  user: Pick<QuickSightUser, 'userName' | 'principalId'>,
): string {
  return `${taskIdFor(namespace, user)}#role`;
}

/** The row `enqueue` writes: PENDING (or BLOCKED with a reason), no attempts yet. */
export function pendingTask(task: NewTask, at: string, blockReason?: string): Task {
  return {
    ...task,
    createdAt: task.createdAt ?? at,
    updatedAt: at,
    status: blockReason === undefined ? 'PENDING' : 'BLOCKED',
    ...(blockReason === undefined ? {} : { blockReason }),
    attempts: 0,
  };
}

/** The row `enqueueForReview` writes: AWAITING_APPROVAL in review `reviewRunId`. */
export function awaitingTask(task: NewTask, at: string, reviewRunId: string): Task {
  return {
    ...task,
    createdAt: task.createdAt ?? at,
    updatedAt: at,
    status: 'AWAITING_APPROVAL',
    reviewRunId,
    attempts: 0,
  };
}

/**
 * The task a planned deletion (or role change: `change_role` to the decision's `targetRole`) becomes: its QuickSight user and why (one mapping for the plan's
 * own queue, services/removals/plan/run-plan.ts, and the review's, services/review/review-task.ts).
 */
export function taskOfDecision(
  d: Decision,
  user: NonNullable<Decision['quickSightUser']>,
  taskId: string,
  runId: string,
): NewTask {
  return {
    taskId,
    runId,
    email: d.email,
    userName: user.userName,
    ...(user.principalId ? { principalId: user.principalId } : {}),
    arn: user.arn,
    role: user.role,
    identityType: user.identityType,
    source: d.source,
    reason: d.reason,
    ...(user.scope === undefined ? {} : { scope: user.scope }),
    ...(d.keepMembers ? { keepMembers: true } : {}),
    ...(d.source === 'inactive' && d.idleDays !== undefined ? { idleDays: d.idleDays } : {}),
    ...(d.group !== undefined ? { action: 'leave_group' as const, group: d.group } : {}),
    ...(d.targetRole === undefined
      ? {}
      : { action: 'change_role' as const, targetRole: d.targetRole }),
  };
}

/**
 * The task id a planned write is queued under: a group removal's (one per person and group,
 * under `namespace`, the home key: a Google group is left once, whatever QuickSight scopes the
 * person has seats in), a role change's, else the user's deletion task, both under the user's
 * scope key (`user.scope`; absent: `namespace`, the home account's configured namespace).
 */
export function taskIdOfDecision(
  namespace: string,
  d: Pick<Decision, 'email' | 'group' | 'targetRole'>,
  user: Pick<QuickSightUser, 'userName' | 'principalId' | 'scope'>,
): string {
  if (d.group !== undefined) return groupTaskIdFor(namespace, d.email, d.group);
  const key = scopeKeyOf(user, namespace);
  return d.targetRole === undefined ? taskIdFor(key, user) : roleTaskIdFor(key, user);
}
