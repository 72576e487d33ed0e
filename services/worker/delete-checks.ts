import { activityKey, activityUserName } from '../../shared/activity-record.js';
import type { QuickSightUser } from '../../shared/domain.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import type { DynamoGuardWindow } from '../../shared/dynamo/guard-window-store.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import {
  buildProtection,
  isMemberAgain,
  type Protection,
  protectionReason,
  REJOINED_REASON,
} from '../../shared/removal-rules.js';
import type { Task } from '../../shared/task.js';
import {
  coverageStaleReason,
  type IdleRecheckSettings,
  needsIdleRecheck,
  recheckIdle,
} from './idle-recheck.js';
import type { BeforeDelete } from './worker-ports.js';

/**
 * The last checks before each QuickSight delete, built once for both deleting shells (the CLI's
 * `apply-tasks.ts` and the worker Lambda's `handler.ts`):
 *
 * 1. re-join: the person is in a configured group in the newest COMPLETE snapshot, taken after
 *    the task was queued → skipped (CANCELLED);
 * 2. protection, against the CURRENT configuration and the user as the newest COMPLETE snapshot
 *    lists it (its role now, its email) as well as the task's planned role → skipped;
 * 3. idle users (`inactive` tasks) are judged again against the activity record
 *    (./idle-recheck.ts): active or registered since → skipped (CANCELLED); a record that is not
 *    fresh → deferred (PENDING again, after one catch-up where the shell can make one);
 * 4. the cross-run guard window: one slot per task; refused → the task stays BLOCKED.
 *
 * The rules themselves live in shared/removal-rules.ts (the planner uses the same ones).
 */

export type SnapshotReader = Pick<
  DynamoSnapshotStore,
  'latestComplete' | 'googleRows' | 'quickSightUsers'
>;

/** What the newest COMPLETE snapshot says, as the checks need it. */
export interface SnapshotView {
  readonly runId: string;
  readonly startedAt: string;
  readonly members: ReadonlySet<string>;
  /** QuickSight users by user name, and `N/A#<principalId>` for unnamed ones. */
  readonly users: ReadonlyMap<string, QuickSightUser>;
}

/** Reads the newest COMPLETE snapshot; `cached` is returned when it is still the newest. */
export async function loadSnapshotView(
  snapshots: SnapshotReader,
  cached?: SnapshotView,
): Promise<SnapshotView | undefined> {
  const [latest] = await snapshots.latestComplete(1);
  if (!latest) return undefined;
  if (cached?.runId === latest.runId) return cached;
  const members = new Set<string>();
  for await (const page of snapshots.googleRows(latest.runId))
    for (const row of page) members.add(row.email);
  const users = new Map<string, QuickSightUser>();
  for await (const page of snapshots.quickSightUsers(latest.runId))
    for (const user of page) users.set(userKey(user), user);
  return { runId: latest.runId, startedAt: latest.startedAt, members, users };
}

function userKey(user: Pick<QuickSightUser, 'userName' | 'principalId'>): string {
  return user.userName === 'N/A' ? `N/A#${user.principalId ?? ''}` : user.userName;
}

export interface DeleteCheckSettings {
  readonly protectedRoles: readonly string[];
  readonly protectedUsers: readonly string[];
  /** IDSYNC_MAX_DELETIONS: the guard window's budget. */
  readonly maxDeletions: number;
}

/** What the idle re-judge reads, and how the shell may bring the record up to date. */
export interface IdleChecks {
  readonly settings: IdleRecheckSettings;
  /** The QuickSight namespace (the activity record's key). */
  readonly namespace: string;
  readonly activity: Pick<DynamoActivityStore, 'get' | 'coverage'>;
  /**
   * Brings the record up to date (the CLI: one CloudTrail catch-up). Called at most once per
   * run, only when an idle task finds the record stale; an error is passed to `onCatchUpError`
   * and the record judged as it is. Absent (the worker Lambda, which has no CloudTrail rights):
   * a stale record defers the task.
   */
  readonly catchUp?: () => Promise<void>;
  readonly onCatchUpError?: (error: unknown) => void;
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
}

/** Why the task must not run now (protection, re-join), or undefined. */
export function vetoReason(
  task: Task,
  protection: Protection,
  snapshot: SnapshotView | undefined,
): string | undefined {
  const listed = snapshot?.users.get(userKey(task));
  for (const role of new Set([task.role, ...(listed ? [listed.role] : [])])) {
    const reason = protectionReason(protection, {
      email: task.email,
      userName: task.userName,
      role,
      ...(listed?.email ? { userEmail: listed.email } : {}),
    });
    if (reason !== undefined) return `protected now: ${reason}`;
  }
  if (snapshot && isMemberAgain(task, snapshot.members, snapshot.startedAt)) return REJOINED_REASON;
  return undefined;
}

export function createBeforeDelete(checks: DeleteChecks): BeforeDelete {
  const protection = buildProtection(
    checks.settings.protectedRoles,
    checks.settings.protectedUsers,
  );
  const now = checks.now ?? Date.now;
  let released = checks.release ?? 0;
  const limit = checks.settings.maxDeletions;
  const rejudge = idleRejudge(checks.idle, checks.snapshot, now);
  return async (task) => {
    const veto = vetoReason(task, protection, checks.snapshot);
    if (veto !== undefined) return { skip: veto };
    const idle = await rejudge(task);
    if (idle !== undefined) return idle;
    const answer = await checks.guard.reserve(task.taskId, limit, now());
    if (answer !== 'refused') return 'proceed';
    if (released > 0) {
      released--;
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
  return async (task) => {
    if (!needsIdleRecheck(task)) return undefined;
    let coverage = await idle.activity.coverage();
    const stale = coverageStaleReason(coverage.cloudtrail, new Date(now()), settings.maxLagMs);
    // A catch-up reads the uncovered tail: without coverage there is none (nothing is judged).
    if (stale !== undefined && coverage.cloudtrail !== undefined && idle.catchUp) {
      const catchUp = idle.catchUp;
      // Once per run, shared by the tasks that wait for it.
      caughtUp ??= catchUp().catch((error: unknown) => idle.onCatchUpError?.(error));
      await caughtUp;
      coverage = await idle.activity.coverage();
    }
    const record = await idle.activity.get(activityKey(idle.namespace, activityUserName(task)));
    const listed = snapshot?.users.get(userKey(task));
    const verdict = recheckIdle({
      task,
      ...(listed ? { listedRole: listed.role } : {}),
      ...(record ? { record } : {}),
      ...(coverage.cloudtrail ? { cloudtrail: coverage.cloudtrail } : {}),
      now: new Date(now()),
      settings,
    });
    if (verdict.kind === 'proceed') return undefined;
    return verdict.kind === 'cancel' ? { skip: verdict.reason } : { defer: verdict.reason };
  };
}

export function guardBlockReason(limit: number): string {
  return (
    `guard window: the budget of ${limit} deletions (IDSYNC_MAX_DELETIONS) within ` +
    'IDSYNC_GUARD_WINDOW_HOURS is spent; release with idsync apply --max-deletions N'
  );
}
