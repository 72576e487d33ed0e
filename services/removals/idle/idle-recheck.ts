import type { ActivityRecord, Span } from '../../../shared/activity-record.js';
import { DOWNGRADED_AUTHOR_ROLES } from '../../../shared/authoring.js';
import { describeLastActive, staleReason, utcDay } from '../../../shared/idle-rule.js';
import { type NoticeRecord, noticeAllowsDeletion } from '../../../shared/notice-rule.js';
import type { Task } from '../../../shared/task.js';
import { taskAction } from '../../../shared/task.js';
import { judgeUser } from './idle-judgement.js';
import type { KeepGroupMembers } from './keep-groups.js';

/**
 * The idle judgement again, just before an `inactive` task's QuickSight call (pure; the worker's
 * before-delete check, ./delete-checks.ts, reads the record, the keep groups and the pending
 * events and calls it). A plan's verdict ages: a task may run hours or days later (retried after
 * a failure, released from BLOCKED, sent again by the plan function every hour), and the person
 * may have used QuickSight, been registered again or joined a keep group since. So the user is
 * judged once more with the plan's own judgement (services/removals/idle/idle-judgement.ts `judgeUser`: keep
 * groups, the idle rule, pending events), the N days the plan used (`task.idleDays`; the
 * configured IDSYNC_INACTIVE_DAYS for tasks written before the field existed), and the idle
 * roles and keep groups configured now:
 *
 * - the keep groups configured now must have been listed, not empty, by the newest COMPLETE
 *   snapshot (services/removals/idle/keep-groups.ts `keepGroupListingProblem`), else → `defer` (unknown data);
 * - the record must be fresh: its CloudTrail coverage must end within IDSYNC_ACTIVITY_MAX_LAG_HOURS
 *   of now, else → `defer` (the task goes back to PENDING, nothing is deleted or cancelled);
 * - idle → `proceed`;
 * - a member of a keep group (`kept`), active since (`active`) or created within the N days
 *   (`created`), or a role that is no longer an idle role → `cancel`, with the reason;
 * - not covered for any other reason (coverage lost, too short, pending events of an IdC user
 *   the identity map does not know yet inside the window) → `defer`: never delete in doubt.
 *
 * The plan's third kind of creation evidence, a user first listed by a snapshot after an earlier
 * COMPLETE snapshot that did not list it (services/removals/idle/first-listed.ts), is not read here: it
 * needs the user lists of N + 2 snapshots, and the record already holds everything it could add
 * since the plan. A task exists only for a user the plan judged idle, so any first listing the
 * plan saw lies before its window, and stays before every later window. A first listing after
 * the plan means the user was deleted and created again after the plan: its creation
 * (RegisterUser, or CreateUser on behalf of an IdC user) is a CloudTrail event inside the
 * coverage the re-judge requires (continuous from N days before the plan to within
 * IDSYNC_ACTIVITY_MAX_LAG_HOURS of now), so it is either attributed (`record.created` →
 * `created` → cancel) or kept pending (its time inside the window → `defer`).
 *
 * Tasks of other sources → `proceed` (their own checks apply).
 */

export interface IdleRecheckSettings {
  /** IDSYNC_INACTIVE_DAYS: the N days of a task without `idleDays`. */
  readonly days: number;
  /** IDSYNC_INACTIVE_ROLES now (any case). */
  readonly roles: readonly string[];
  /** IDSYNC_ACTIVITY_MAX_LAG_HOURS in ms. */
  readonly maxLagMs: number;
  /** IDSYNC_INACTIVE_KEEP_GROUPS now (lower-case). @default [] */
  readonly keepGroups?: readonly string[];
}

export interface IdleRecheckInput {
  readonly task: Pick<Task, 'source' | 'role' | 'idleDays' | 'createdAt'> &
    Partial<Pick<Task, 'userName' | 'email' | 'action'>>;
  /** The user's role as the newest COMPLETE snapshot lists it, when it does. */
  readonly listedRole?: string;
  /** The user's email as the newest COMPLETE snapshot lists it, when it does (keep groups). */
  readonly listedEmail?: string;
  /**
   * Why the newest COMPLETE snapshot's keep-group listing cannot be trusted for the keep groups
   * configured now (keep-groups.ts `keepGroupListingProblem`), when it cannot.
   */
  readonly keepListingProblem?: string;
  /** Members of the keep groups configured now, in the newest COMPLETE snapshot. */
  readonly keepMembers?: KeepGroupMembers;
  /** Pending events that could be the user's inside a window (absent: none pending). */
  readonly pendingEventsIn?: (window: Span) => number;
  /** The user's activity record, when there is one. */
  readonly record?: ActivityRecord;
  /** The account-wide CloudTrail coverage (DynamoActivityStore.coverage()). */
  readonly cloudtrail?: Span;
  readonly now: Date;
  readonly settings: IdleRecheckSettings;
  /**
   * Notices on (IDSYNC_NOTICE_FROM): the user's current notice and IDSYNC_NOTICE_DAYS. An idle
   * user is deleted only as shared/notice-rule.ts `noticeAllowsDeletion` allows: no notice, or
   * one closed by activity or active since it → cancel (the next `idsync inactive` notices them);
   * too young, `sending` or `refused` → defer.
   */
  readonly notice?: { readonly record?: NoticeRecord; readonly days: number };
}

export type IdleRecheck =
  | { readonly kind: 'proceed' }
  | { readonly kind: 'cancel'; readonly reason: string }
  | { readonly kind: 'defer'; readonly reason: string };

const PROCEED: IdleRecheck = { kind: 'proceed' };

/** Whether the task is judged again by the idle rule before its call. */
export function needsIdleRecheck(task: Pick<Task, 'source'>): boolean {
  return task.source === 'inactive';
}

/** Why the CloudTrail coverage is not fresh enough to judge now, or undefined when it is. */
export function coverageStaleReason(
  cloudtrail: Span | undefined,
  now: Date,
  maxLagMs: number,
): string | undefined {
  const end = cloudtrail === undefined ? Number.NaN : Date.parse(cloudtrail.to);
  if (!Number.isFinite(end))
    return 'the activity record has no CloudTrail coverage: run idsync activity sync';
  return staleReason(end, now.getTime(), maxLagMs);
}

export function recheckIdle(input: IdleRecheckInput): IdleRecheck {
  const { task, record, settings } = input;
  if (!needsIdleRecheck(task)) return PROCEED;
  if (input.keepListingProblem !== undefined)
    return { kind: 'defer', reason: input.keepListingProblem };
  const stale = coverageStaleReason(input.cloudtrail, input.now, settings.maxLagMs);
  if (stale !== undefined) return { kind: 'defer', reason: stale };
  // An idle Author's downgrade (change_role) is judged as it was planned: the Author roles, by
  // the newest authoring event (shared/authoring.ts), and without the deletion notice rule.
  const downgrade = taskAction(task) === 'change_role';
  const idleRoles = new Set(
    (downgrade ? DOWNGRADED_AUTHOR_ROLES : settings.roles).map((r) => r.toUpperCase()),
  );
  for (const role of new Set([task.role, ...(input.listedRole ? [input.listedRole] : [])])) {
    if (!idleRoles.has(role.toUpperCase()))
      return {
        kind: 'cancel',
        reason: downgrade
          ? `not downgraded now: role ${role.toUpperCase()} is not an Author role`
          : `not idle now: role ${role.toUpperCase()} is not an idle role (IDSYNC_INACTIVE_ROLES)`,
      };
  }
  const days = task.idleDays ?? settings.days;
  const verdict = judgeUser({
    // Matched as the plan matches the listed user, and by the task's own email too.
    users: [
      { userName: task.userName ?? '', email: task.email ?? '' },
      ...(input.listedEmail ? [{ userName: task.userName ?? '', email: input.listedEmail }] : []),
    ],
    ...(input.keepMembers ? { keepMembers: input.keepMembers } : {}),
    ...(input.pendingEventsIn ? { pendingEventsIn: input.pendingEventsIn } : {}),
    role: task.role,
    idleRoles,
    days,
    now: input.now,
    coverage: [
      ...(input.cloudtrail ? [input.cloudtrail] : []),
      ...(record?.spans.import ? [record.spans.import] : []),
    ],
    ...(downgrade
      ? record?.authored
        ? { last: record.authored }
        : {}
      : record?.last
        ? { last: record.last }
        : {}),
    ...(record?.created ? { createdAt: record.created.at } : {}),
    maxLagMs: settings.maxLagMs,
  });
  if (verdict.idle) {
    if (!input.notice || downgrade) return PROCEED;
    const allowed = noticeAllowsDeletion(
      input.notice.record,
      record?.last?.at,
      input.now,
      input.notice.days,
    );
    if (allowed.allowed) return PROCEED;
    const reason = `notice: ${allowed.reason}`;
    return ['none', 'closed', 'active'].includes(allowed.why)
      ? { kind: 'cancel', reason }
      : { kind: 'defer', reason };
  }
  switch (verdict.why) {
    case 'kept':
      return { kind: 'cancel', reason: verdict.reason };
    case 'active':
      return {
        kind: 'cancel',
        reason: `active again: ${verdict.last ? describeLastActive(verdict.last) : verdict.reason}`,
      };
    case 'created':
      return { kind: 'cancel', reason: registeredReason(task, record, days) };
    case 'role':
      return { kind: 'cancel', reason: `not idle now: ${verdict.reason}` };
    default:
      return { kind: 'defer', reason: `not judged again: ${verdict.reason}` };
  }
}

/** "registered since the plan: RegisterUser on 2026-12-05" (or within the N days, if earlier). */
function registeredReason(
  task: IdleRecheckInput['task'],
  record: ActivityRecord | undefined,
  days: number,
): string {
  const created = record?.created;
  if (!created) return `registered within ${days} days`;
  const since = Date.parse(created.at) >= Date.parse(task.createdAt);
  return since
    ? `registered since the plan: ${created.eventName} on ${utcDay(created.at)}`
    : `registered within ${days} days: ${created.eventName} on ${utcDay(created.at)}`;
}
