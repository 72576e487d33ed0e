import type { QuickSightUser } from '../../shared/domain.js';
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
import type { BeforeDelete } from './worker-ports.js';

/**
 * The last checks before each QuickSight delete, built once for both deleting shells (the CLI's
 * `apply-tasks.ts` and the worker Lambda's `handler.ts`):
 *
 * 1. re-join: the person is in a configured group in the newest COMPLETE snapshot, taken after
 *    the task was queued → skipped (CANCELLED);
 * 2. protection, against the CURRENT configuration and the user as the newest COMPLETE snapshot
 *    lists it (its role now, its email) as well as the task's planned role → skipped;
 * 3. the cross-run guard window: one slot per task; refused → the task stays BLOCKED.
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

export interface DeleteChecks {
  readonly settings: DeleteCheckSettings;
  readonly snapshot: SnapshotView | undefined;
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
  return async (task) => {
    const veto = vetoReason(task, protection, checks.snapshot);
    if (veto !== undefined) return { skip: veto };
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

export function guardBlockReason(limit: number): string {
  return (
    `guard window: the budget of ${limit} deletions (IDSYNC_MAX_DELETIONS) within ` +
    'IDSYNC_GUARD_WINDOW_HOURS is spent; release with idsync apply --max-deletions N'
  );
}
