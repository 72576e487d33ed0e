import type { QuickSightUser } from './domain.js';
import { normalizeEmail } from './email.js';
import type { Task } from './task.js';
import { UNNAMED_USER } from './unnamed-user.js';

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

/** The email in a QuickSight user name (`role/session@x.com` or `someone@x.com`), if any. */
export function emailOfUserName(userName: string): string | undefined {
  if (userName === UNNAMED_USER) return undefined;
  const email = normalizeEmail(userName.slice(userName.lastIndexOf('/') + 1));
  return email.includes('@') ? email : undefined;
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
