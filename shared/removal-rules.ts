import type { QuickSightUser } from './domain.js';
import { normalizeEmail } from './email.js';
import { emailOfUserName } from './quicksight-user-rules.js';
import { type Task, taskAction } from './task.js';

/**
 * The rules of a removal, each one named statement with its boundary tests
 * (test/shared/removal-rules*.test.ts; scripts/mutation-check.mjs mutates them): protection and
 * the re-join veto, the guard window's budget and its override, a member's groups, and which roles
 * own assets (the handover before a call). Pure: the plan and the worker decide with them, the
 * notices judge protection with them.
 */

// Protection and the re-join veto.

/**
 * The two rules that stop a deletion, written once: protection (roles and users never deleted)
 * and the re-join veto. The planner decides with them (services/removals/plan/decide.ts, run-plan.ts) and
 * the worker re-checks them just before each QuickSight call against the current configuration
 * and the newest COMPLETE snapshot (services/removals/worker/delete-checks.ts), so a task planned while
 * protection was off, or whose person came back, never runs.
 */

export interface Protection {
  /** Upper-case role names. */
  readonly roles: ReadonlySet<string>;
  /** Normalised user names and emails. */
  readonly users: ReadonlySet<string>;
}

export function buildProtection(roles: readonly string[], users: readonly string[]): Protection {
  return {
    roles: new Set(roles.map((r) => r.trim().toUpperCase()).filter((r) => r.length > 0)),
    users: new Set(users.map(normalizeEmail).filter((u) => u.length > 0)),
  };
}

/** What protection looks at: the person, and the QuickSight user as planned or as listed now. */
export interface ProtectionSubject {
  /** Normalised email of the person the removal is about. */
  readonly email: string;
  readonly userName: string;
  readonly role: string;
  /** The QuickSight user's `Email`, when it has one. */
  readonly userEmail?: string;
}

/** Why the user is protected (`role READER is protected`, `x is in the protected users`), or undefined. */
export function protectionReason(
  protection: Protection,
  subject: ProtectionSubject,
): string | undefined {
  const role = subject.role.toUpperCase();
  if (protection.roles.has(role)) return `role ${role} is protected`;
  const listed = [
    subject.email,
    subject.userName,
    subject.userEmail ?? '',
    emailOfUserName(subject.userName) ?? '',
  ]
    .map(normalizeEmail)
    .find((name) => name.length > 0 && protection.users.has(name));
  return listed === undefined ? undefined : `${listed} is in the protected users`;
}

export const REJOINED_REASON = 'the person is a group member again';

/**
 * Which removals a person's group membership vetoes. The plan defers them
 * (services/removals/plan/decide.ts), and a queued task of one is cancelled before its delete when a
 * snapshot taken after the task was queued lists the person again (`isMemberAgain`).
 *
 * - `group_removal`, `deleted_event`: membership means the person re-joined: vetoed.
 * - `csv` with `--keep-members`: the operator asked to keep members: vetoed.
 * - `csv` without it: the operator listed the person knowing they may be a member: not vetoed.
 * - `inactive`: an idle Reader is a member by definition: never vetoed.
 * - `group_role`: a role change (role follows group) is of a member by definition: never vetoed.
 * - anything else (an unknown or missing source on an old task): vetoed, the safe side.
 */
export function membershipVetoes(source: string, keepMembers: boolean): boolean {
  if (source === 'inactive' || source === 'group_role') return false;
  if (source === 'csv') return keepMembers;
  return true;
}

/** Whether the re-join check applies to a queued task (its source and `keepMembers` flag). */
export function rejoinVetoApplies(task: {
  readonly source?: string;
  readonly keepMembers?: boolean;
}): boolean {
  return membershipVetoes(task.source ?? '', task.keepMembers === true);
}

/**
 * CloudTrail event times have whole seconds: an observation within the same second as a removal
 * event cannot be said to come after it.
 */
export const EVENT_TIME_PRECISION_MS = 1000;

/** A task's `createdAt` (the time it was queued) is this process's clock, to the millisecond. */
export const QUEUE_TIME_PRECISION_MS = 1;

/**
 * Whether a membership observation taken at `observedAt` (a snapshot's start) is newer than
 * `eventAt`, a time known to `precisionMs` (a removal's event time: `EVENT_TIME_PRECISION_MS`;
 * the time its task was queued: `QUEUE_TIME_PRECISION_MS`): not before the end of that time's
 * precision step, compared as instants. Only a newer observation shows a re-join; an older one
 * shows the membership the removal already overruled.
 */
export function isObservedAfter(observedAt: string, eventAt: string, precisionMs: number): boolean {
  return Date.parse(observedAt) >= Date.parse(eventAt) + precisionMs;
}

/**
 * Whether a queued task's person is back in a group according to a snapshot taken after the
 * task was queued (`isObservedAfter`), for a task whose source membership vetoes
 * (`rejoinVetoApplies`). An older snapshot does not show a re-join, only the membership the
 * task's decision already overruled (a DeleteUser event handled between two snapshots).
 */
export function isMemberAgain(
  task: {
    readonly email: string;
    readonly createdAt: string;
    readonly source?: string;
    readonly keepMembers?: boolean;
  },
  members: ReadonlySet<string>,
  membersAsOf: string,
): boolean {
  return (
    rejoinVetoApplies(task) &&
    members.has(task.email) &&
    isObservedAfter(membersAsOf, task.createdAt, QUEUE_TIME_PRECISION_MS)
  );
}

/**
 * Protection against the current configuration, for the task's user with its role as queued and
 * as the newest COMPLETE snapshot lists it (and the listed email): `protected now: …`, or
 * undefined. The checks of every task action use it.
 */
export function protectedNowReason(
  protection: Protection,
  task: Pick<Task, 'email' | 'userName' | 'role'>,
  listed: Pick<QuickSightUser, 'role' | 'email'> | undefined,
): string | undefined {
  for (const role of new Set([task.role, ...(listed ? [listed.role] : [])])) {
    const reason = protectionReason(protection, {
      email: task.email,
      userName: task.userName,
      role,
      ...(listed?.email ? { userEmail: listed.email } : {}),
    });
    if (reason !== undefined) return `protected now: ${reason}`;
  }
  return undefined;
}

// The guard window's budget.

/**
 * The guard window's budget and its one-run override, the one statement of both (the plan counts
 * with it, services/removals/plan/run-plan.ts; the worker admits each deletion with it,
 * services/removals/worker/delete-checks.ts):
 *
 *   a deletion is admitted by the budget while fewer than IDSYNC_MAX_DELETIONS (`limit`) were
 *   made in the last IDSYNC_GUARD_WINDOW_HOURS (`used`); beyond that, a run given
 *   `--max-deletions N` (`override`) may make N more: N counts past what is left of the budget,
 *   whatever the window used (also when earlier overrides took it past the budget).
 *
 * So a run may make `max(0, limit − used) + N` deletions (`windowAllowance`), whether the plan
 * counts them ahead or the worker admits them one by one (`admitDeletion`).
 */

export interface WindowBudget {
  /** IDSYNC_MAX_DELETIONS. */
  readonly limit: number;
  /** `--max-deletions N` for this run; 0 without it. */
  readonly override: number;
}

export type Admission = 'budget' | 'override' | 'refused';

/**
 * One deletion: by the budget while `used` < `limit`; else by the override while this run made
 * fewer than `override` deletions beyond the budget (`beyondBudget`).
 */
export function admitDeletion(budget: WindowBudget, used: number, beyondBudget: number): Admission {
  if (used < budget.limit) return 'budget';
  if (beyondBudget < budget.override) return 'override';
  return 'refused';
}

/** How many deletions a run may make when the window has `used` slots taken. */
export function windowAllowance(budget: WindowBudget, used: number): number {
  return Math.max(0, budget.limit - used) + Math.max(0, budget.override);
}

// A member's groups.

/**
 * A member's configured groups, as the newest snapshot lists them (role follows group's target
 * role and the checks of `change_role` and `leave_group` tasks): one entry per group, in the
 * order listed. Pure.
 */
export function addMemberGroup(
  groups: Map<string, string[]>,
  row: { readonly email: string; readonly group: string },
): void {
  const list = groups.get(row.email);
  if (!list) groups.set(row.email, [row.group]);
  else if (!list.includes(row.group)) list.push(row.group);
}

// Roles that own assets.

/**
 * Which QuickSight roles can own assets (dashboards, analyses, datasets, data sources, folders,
 * themes, templates, topics), and so which tasks must hand the user's assets over before their
 * call: QuickSight's `DeleteUser` runs no asset clean-up, and a Reader cannot own. Pure.
 */
export const OWNING_ROLES = ['AUTHOR', 'ADMIN', 'AUTHOR_PRO', 'ADMIN_PRO'] as const;

/** Whether a user of this role can own assets (any case). */
export function canOwnAssets(role: string | undefined): boolean {
  return role !== undefined && (OWNING_ROLES as readonly string[]).includes(role.toUpperCase());
}

/**
 * A task whose call would leave the user's assets without an owner: a deletion of a user who can
 * own, or a role change from a role that can own to one that cannot.
 */
export function needsHandover(task: Pick<Task, 'action' | 'role' | 'targetRole'>): boolean {
  switch (taskAction(task)) {
    case 'delete':
      return canOwnAssets(task.role);
    case 'change_role':
      return canOwnAssets(task.role) && !canOwnAssets(task.targetRole);
    case 'leave_group':
      return false;
  }
}

/**
 * A deletion of a user whose role cannot own now, but whom the activity record shows writing
 * assets (its newest authoring event, `authored`: it held a role that can own, e.g. an Author
 * downgraded by hand): such a user may still own assets, so its deletion hands them over too.
 */
export function mayStillOwnAssets(
  task: Pick<Task, 'action' | 'role' | 'targetRole'>,
  record: { readonly authored?: unknown } | undefined,
): boolean {
  return (
    taskAction(task) === 'delete' && !canOwnAssets(task.role) && record?.authored !== undefined
  );
}
