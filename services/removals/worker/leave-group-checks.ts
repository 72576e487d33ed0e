import type { QuickSightUser } from '../../../shared/domain.js';
import { identityModeOf, scopedUserKey } from '../../../shared/quicksight-user-rules.js';
import { type Protection, protectedNowReason } from '../../../shared/removal-rules.js';
import type { Task } from '../../../shared/task.js';

/**
 * The last checks of a `leave_group` task before its Google call (the `delete` task's are
 * `vetoReason` in ./delete-checks.ts; the idle re-judge and the guard window's slot follow both):
 * the user is still an IAM_IDENTITY_CENTER user (as queued and as listed now), not protected
 * now, and the person is still in the group per the newest COMPLETE snapshot. A task that has
 * made a call before (`attempts` > 0: a worker stopped or was killed after it) is not vetoed for
 * the membership or the listing its own call may have ended: the call is sent again (a
 * second `members.delete` is harmless; its 404 confirms idsync's removal). Pure.
 */

/** What the check reads of the newest COMPLETE snapshot (./delete-checks.ts `SnapshotView`). */
export interface GroupSnapshot {
  /** QuickSight users by `scopedUserKey`. */
  readonly users: ReadonlyMap<string, QuickSightUser>;
  readonly members: ReadonlySet<string>;
  /** Normalised email → the configured groups it is in; absent when not read. */
  readonly memberGroups?: ReadonlyMap<string, readonly string[]>;
}

export function leaveGroupVetoReason(
  task: Task,
  protection: Protection,
  snapshot: GroupSnapshot | undefined,
): string | undefined {
  if (task.group === undefined) return 'not sent: a leave_group task without its group';
  const listed = snapshot?.users.get(scopedUserKey(task));
  for (const identityType of new Set([task.identityType, ...(listed ? [listed.identityType] : [])]))
    if (identityModeOf(identityType) !== 'group')
      return `not sent: the user is ${identityType}, not IAM_IDENTITY_CENTER: its seat does not follow the group`;
  const protectedNow = protectedNowReason(protection, task, listed);
  if (protectedNow !== undefined) return protectedNow;
  if (task.attempts > 0 || snapshot === undefined) return undefined;
  if (!listed)
    return `the QuickSight user ${task.userName} is no longer listed (newest snapshot): its seat has ended`;
  const groups = snapshot.memberGroups?.get(task.email);
  if (groups !== undefined && !groups.includes(task.group))
    return `${task.email} is no longer in ${task.group} (newest snapshot): nothing to remove`;
  if (groups === undefined && !snapshot.members.has(task.email))
    return `${task.email} is in no configured group any more (newest snapshot): nothing to remove`;
  return undefined;
}
