import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import type { DynamoGuardWindow } from '../../../shared/dynamo/guard-table-store.js';
import type { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import { type GroupRoleMap, targetRoleOf } from '../../../shared/group-roles.js';
import type { NoticeRecord } from '../../../shared/notice-rule.js';
import type { PendingEvidence } from '../../../shared/pending-events.js';
import { otherAccountOfScopeKey, scopeKeyOf } from '../../../shared/quicksight-scopes.js';
import {
  emailKeysOf,
  scopedUserKey,
  userWriteRefusal,
} from '../../../shared/quicksight-user-rules.js';
import { releaseCommand } from '../../../shared/release-command.js';
import {
  admitDeletion,
  buildProtection,
  isMemberAgain,
  type Protection,
  protectedNowReason,
  REJOINED_REASON,
} from '../../../shared/removal-rules.js';
import { type Task, taskAction } from '../../../shared/task.js';
import {
  coverageStaleReason,
  type IdleRecheckInput,
  type IdleRecheckSettings,
  needsIdleRecheck,
  recheckIdle,
} from '../idle/idle-recheck.js';
import {
  type KeepGroupMembers,
  keepGroupListingProblem,
  keepGroupMembers,
} from '../idle/keep-groups.js';
import {
  identityFactsOf,
  pendingEventsAgainst,
  type UserIdentityFacts,
} from '../idle/pending-coverage.js';
import { leaveGroupVetoReason } from './leave-group-checks.js';
import { unconfiguredScopeReason } from './task-call.js';
import type { BeforeDelete } from './worker-ports.js';

/**
 * The last checks before each QuickSight delete, built by every apply of the removals module
 * (../compose-removals.ts: the CLI and the worker Lambda alike):
 *
 * 0. scope: a QuickSight task of a scope (`Task.scope`) that is no longer configured
 *    (IDSYNC_QUICKSIGHT_ACCOUNTS) stays BLOCKED, never called in any account (`unconfiguredScope`);
 *    the checks below look the user up in its own scope (`scopedUserKey`);
 * 1. re-join: the person is in a configured group in the newest COMPLETE snapshot, taken after
 *    the task was queued → skipped (CANCELLED);
 * 2. identity mode (shared/quicksight-user-rules.ts): a task for a user whose identity type, as queued or
 *    as the newest COMPLETE snapshot lists it, takes no user writes (IAM_IDENTITY_CENTER, unknown)
 *    is never sent → skipped (a task from an older plan);
 * 3. protection, against the CURRENT configuration and the user as the newest COMPLETE snapshot
 *    lists it (its role now, its email) as well as the task's planned role → skipped;
 * 4. idle users (`inactive` tasks) are judged again with the plan's judgement (../idle/idle-recheck.ts,
 *    services/removals/idle/idle-judgement.ts): a member of a keep group, active or registered since → skipped
 *    (CANCELLED); a record that is not fresh, a keep group the newest COMPLETE snapshot did not
 *    list (or listed empty), or pending events of an unknown IdC user inside the user's window →
 *    deferred (PENDING again; a stale record after one catch-up where the shell can make one).
 *    Read once per run and only for idle tasks: the keep groups' members with the snapshot view
 *    (cached per snapshot run), the pending items lazily at the first idle task that would
 *    proceed (again when the coverage has moved on), and the identity map only for users judged
 *    idle while items are pending;
 * 5. role follows group (`change_role` tasks of source `group_role`, `roleChangeVeto`): the
 *    person's groups in the newest COMPLETE snapshot must still give the task's target role under
 *    IDSYNC_GROUP_ROLES as configured now → else skipped (CANCELLED);
 * 6. the cross-run guard window: one slot per task (deletion or role change); refused → the task
 *    stays BLOCKED.
 *
 * The rules themselves live in shared/removal-rules.ts (the planner uses the same ones).
 */

/** What the newest COMPLETE snapshot says, as the checks need it. */
export interface SnapshotView {
  readonly runId: string;
  readonly startedAt: string;
  readonly members: ReadonlySet<string>;
  /** Member email → the configured groups it is listed in (role follows group's and `leave_group` tasks' checks). */
  readonly memberGroups?: ReadonlyMap<string, readonly string[]>;
  /** QuickSight users by user name, and `N/A#<principalId>` for unnamed ones. */
  readonly users: ReadonlyMap<string, QuickSightUser>;
  /** Members listed per keep group (the manifest's `sources.google.keepGroups`), when any. */
  readonly keepGroups?: Readonly<Record<string, number>>;
  /** The keep groups' members (`keepGroupRows`), `group` naming the keep group. */
  readonly keepRows: readonly { readonly group: string; readonly email: string }[];
}

export interface DeleteCheckSettings {
  readonly protectedRoles: readonly string[];
  readonly protectedUsers: readonly string[];
  /** IDSYNC_MAX_DELETIONS: the guard window's budget. */
  readonly maxDeletions: number;
  /** IDSYNC_GROUP_ROLES as configured now: a role follows group task is checked against it. */
  readonly groupRoles?: GroupRoleMap;
}

/** What the idle re-judge reads, and how the shell may bring the record up to date. */
export interface IdleChecks {
  readonly settings: IdleRecheckSettings;
  /** The QuickSight namespace (the activity record's key). */
  readonly namespace: string;
  /** Each task is judged by its own QuickSight account's coverage (`coverageOfAccount`). */
  readonly activity: Pick<DynamoActivityStore, 'get' | 'coverageOfAccount' | 'pendingEvents'>;
  /** The identity map: which users pending on-behalf-of events cannot be (read only). */
  readonly identities: Pick<DynamoIdentityMap, 'get' | 'findByEmail'>;
  /**
   * Brings the record up to date (the CLI: one CloudTrail catch-up). Called at most once per
   * run, only when an idle task finds the record stale; an error is passed to `onCatchUpError`
   * and the record judged as it is. Absent (the worker Lambda, which has no CloudTrail rights):
   * a stale record defers the task.
   */
  readonly catchUp?: () => Promise<void>;
  readonly onCatchUpError?: (error: unknown) => void;
  /**
   * Notices on (IDSYNC_NOTICE_FROM): the notices table (services/notices/notice-store.ts) and
   * IDSYNC_NOTICE_DAYS; the re-judge applies shared/notice-rule.ts to each idle task.
   */
  readonly notices?: {
    readonly days: number;
    readonly store: { get(userKey: string): Promise<NoticeRecord | undefined> };
  };
}

export interface DeleteChecks {
  readonly settings: DeleteCheckSettings;
  readonly snapshot: SnapshotView | undefined;
  readonly idle: IdleChecks;
  readonly guard: Pick<DynamoGuardWindow, 'reserve'>;
  /**
   * `--max-deletions N` on `idsync apply`: deletions this run may make beyond the window's
   * budget (the operator's explicit release). @default 0
   */
  readonly release?: number;
  readonly now?: () => number;
  /**
   * The configured QuickSight scopes' keys (config.quicksight.scopes) and the home key
   * (IDSYNC_QUICKSIGHT_NAMESPACE, what a task without `scope` is in): a QuickSight task of any
   * other scope is held BLOCKED, never called. Absent: not checked.
   */
  readonly scopes?: { readonly keys: ReadonlySet<string>; readonly home: string };
}

/**
 * Why a QuickSight task is not called at all: its scope (`Task.scope`, absent: the home key) is
 * not configured now. A group removal calls Google, whatever scope its user was listed in.
 */
export function unconfiguredScope(task: Task, scopes: DeleteChecks['scopes']): string | undefined {
  if (!scopes || taskAction(task) === 'leave_group') return undefined;
  return scopes.keys.has(scopeKeyOf(task, scopes.home))
    ? undefined
    : unconfiguredScopeReason(task, scopes.home);
}

/** Why the task must not run now (protection, re-join), or undefined. */
export function vetoReason(
  task: Task,
  protection: Protection,
  snapshot: SnapshotView | undefined,
): string | undefined {
  const listed = snapshot?.users.get(scopedUserKey(task));
  for (const identityType of new Set([
    task.identityType,
    ...(listed ? [listed.identityType] : []),
  ])) {
    const refusal = userWriteRefusal(identityType);
    if (refusal !== undefined) return `not sent: ${refusal}`;
  }
  const protectedNow = protectedNowReason(protection, task, listed);
  if (protectedNow !== undefined) return protectedNow;
  if (snapshot && isMemberAgain(task, snapshot.members, snapshot.startedAt)) return REJOINED_REASON;
  return undefined;
}

export function createBeforeDelete(checks: DeleteChecks): BeforeDelete {
  const protection = buildProtection(
    checks.settings.protectedRoles,
    checks.settings.protectedUsers,
  );
  const now = checks.now ?? Date.now;
  const limit = checks.settings.maxDeletions;
  const budget = { limit, override: checks.release ?? 0 };
  let beyondBudget = 0;
  const rejudge = idleRejudge(checks.idle, checks.snapshot, now);
  return async (task) => {
    const unscoped = unconfiguredScope(task, checks.scopes);
    if (unscoped !== undefined) return { block: unscoped };
    const veto =
      taskAction(task) === 'leave_group'
        ? leaveGroupVetoReason(task, protection, checks.snapshot)
        : vetoReason(task, protection, checks.snapshot);
    if (veto !== undefined) return { skip: veto };
    const role = roleChangeVeto(task, checks.settings.groupRoles, checks.snapshot);
    if (role !== undefined) return role;
    const idle = await rejudge(task);
    if (idle !== undefined) return idle;
    // The store admits by the budget atomically (reserve: a slot while fewer than `limit` are
    // taken); refused means the window holds `limit` or more, where only the override admits.
    const answer = await checks.guard.reserve(task.taskId, limit, now());
    if (answer !== 'refused') return 'proceed';
    if (admitDeletion(budget, limit, beyondBudget) === 'override') {
      beyondBudget++;
      await checks.guard.reserve(task.taskId, Number.MAX_SAFE_INTEGER, now());
      return 'proceed';
    }
    return { block: guardBlockReason(limit) };
  };
}

/** The idle re-judge of one task: undefined to go on, or skip (cancel) / defer with the reason. */
function idleRejudge(
  idle: IdleChecks,
  snapshot: SnapshotView | undefined,
  now: () => number,
): (task: Task) => Promise<{ skip: string } | { defer: string } | undefined> {
  let caughtUp: Promise<void> | undefined;
  const { settings } = idle;
  const keep = keepGroupsOf(settings.keepGroups ?? [], snapshot);
  // Once per run, when an idle task needs them; again when the coverage a task judges with ends
  // later than it did at the read (a catch-up, or a sync meanwhile: a sync writes pending items
  // before it extends the coverage, so a read made after a coverage read holds them all).
  let pendingRead: { coveredTo?: string; items: Promise<PendingEvidence[]> } | undefined;
  const facts = new Map<string, Promise<UserIdentityFacts>>();
  return async (task) => {
    if (!needsIdleRecheck(task)) return undefined;
    // The coverage of the task's own QuickSight account (undefined: the home account's lanes), as
    // `idsync inactive` judged it: another account never synced does not hold this one's tasks.
    const account = otherAccountOfScopeKey(task.scope);
    let coverage = await idle.activity.coverageOfAccount(account);
    const stale = coverageStaleReason(coverage.cloudtrail, new Date(now()), settings.maxLagMs);
    // A catch-up reads the uncovered tail: without coverage there is none (nothing is judged).
    if (stale !== undefined && coverage.cloudtrail !== undefined && idle.catchUp) {
      const catchUp = idle.catchUp;
      // Once per run, shared by the tasks that wait for it.
      caughtUp ??= catchUp().catch((error: unknown) => idle.onCatchUpError?.(error));
      await caughtUp;
      coverage = await idle.activity.coverageOfAccount(account);
    }
    const userKey = activityKey(scopeKeyOf(task, idle.namespace), activityUserName(task));
    const record = await idle.activity.get(userKey);
    const notice = idle.notices
      ? { days: idle.notices.days, record: await idle.notices.store.get(userKey) }
      : undefined;
    const listed = snapshot?.users.get(scopedUserKey(task));
    const input: IdleRecheckInput = {
      task,
      ...(listed ? { listedRole: listed.role } : {}),
      ...(listed?.email ? { listedEmail: listed.email } : {}),
      ...(record ? { record } : {}),
      ...(coverage.cloudtrail ? { cloudtrail: coverage.cloudtrail } : {}),
      ...keep,
      now: new Date(now()),
      settings,
      ...(notice ? { notice: notice.record ? notice : { days: notice.days } } : {}),
    };
    let verdict = recheckIdle(input);
    if (verdict.kind === 'proceed') {
      // Pending events can only turn an idle user uncovered: judged again with them.
      const coveredTo = coverage.cloudtrail?.to;
      if (pendingRead === undefined || pendingRead.coveredTo !== coveredTo)
        pendingRead = {
          ...(coveredTo === undefined ? {} : { coveredTo }),
          items: idle.activity.pendingEvents(),
        };
      const pending = await pendingRead.items;
      if (pending.length > 0) {
        const user = listed ?? task;
        const key = scopedUserKey(user);
        let known = facts.get(key);
        if (!known) {
          known = identityFactsOf(user, idle.identities);
          facts.set(key, known);
        }
        const userFacts = await known;
        verdict = recheckIdle({
          ...input,
          pendingEventsIn: (window) => pendingEventsAgainst(window, pending, userFacts),
        });
      }
    }
    if (verdict.kind === 'proceed') return undefined;
    return verdict.kind === 'cancel' ? { skip: verdict.reason } : { defer: verdict.reason };
  };
}

/**
 * The keep groups configured now, as the newest COMPLETE snapshot lists them: their members, or
 * why the listing cannot be trusted (services/removals/idle/keep-groups.ts). None configured: nothing.
 */
function keepGroupsOf(
  keepGroups: readonly string[],
  snapshot: SnapshotView | undefined,
): { keepListingProblem?: string; keepMembers?: KeepGroupMembers } {
  if (keepGroups.length === 0) return {};
  if (!snapshot)
    return {
      keepListingProblem: `no COMPLETE snapshot lists keep group ${keepGroups[0]} (IDSYNC_INACTIVE_KEEP_GROUPS): run idsync snapshot; nobody is judged idle without it`,
    };
  const problem = keepGroupListingProblem(keepGroups, snapshot.keepGroups, snapshot.runId);
  if (problem !== undefined) return { keepListingProblem: problem };
  const wanted = new Set(keepGroups);
  return { keepMembers: keepGroupMembers(snapshot.keepRows.filter((r) => wanted.has(r.group))) };
}

/**
 * A `change_role` task of role follows group (source `group_role`), checked again before its
 * call against the configuration now and the newest COMPLETE snapshot: the person's groups must
 * still give the task's target role (else cancelled: moved again, the mapping changed, or
 * IDSYNC_GROUP_ROLES unset), and a user already listed in that role needs no call. No snapshot:
 * deferred. Other tasks: undefined (this check does not apply).
 */
export function roleChangeVeto(
  task: Task,
  groupRoles: GroupRoleMap | undefined,
  snapshot: SnapshotView | undefined,
): { skip: string } | { defer: string } | undefined {
  if (taskAction(task) !== 'change_role') return undefined;
  if (task.targetRole === undefined) return { skip: 'change_role task without a target role' };
  if (task.source !== 'group_role') return undefined;
  if (!groupRoles || groupRoles.size === 0)
    return { skip: 'IDSYNC_GROUP_ROLES is not set now: roles are left alone' };
  if (!snapshot?.memberGroups)
    return { defer: 'no COMPLETE snapshot lists the groups: the role is not changed without one' };
  const listed = snapshot.users.get(scopedUserKey(task));
  const emails = new Set([task.email, ...(listed ? emailKeysOf(listed) : [])]);
  const groups = [...emails].flatMap((e) => snapshot.memberGroups?.get(e) ?? []);
  const target = targetRoleOf(groups, groupRoles);
  if (target === undefined)
    return { skip: `${task.email} is in no group of IDSYNC_GROUP_ROLES now: role left as it is` };
  if (target.role !== task.targetRole)
    return {
      skip: `the groups now give ${target.role}, not ${task.targetRole}: a later plan queues the change`,
    };
  return undefined;
}

export function guardBlockReason(limit: number): string {
  return (
    `guard window: the budget of ${limit} deletions (IDSYNC_MAX_DELETIONS) within ` +
    `IDSYNC_GUARD_WINDOW_HOURS is spent; release with ${releaseCommand()}`
  );
}
