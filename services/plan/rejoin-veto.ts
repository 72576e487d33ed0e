/**
 * Which removals a person's group membership vetoes. The plan defers them (decide.ts), and a
 * queued task of one is cancelled before its delete when a snapshot taken after the task was
 * queued lists the person again (`isMemberAgain` below, used by the planner, the CLI's apply
 * and the worker Lambda).
 *
 * - `group_removal`, `deleted_event`: membership means the person re-joined: vetoed.
 * - `csv` with `--keep-members`: the operator asked to keep members: vetoed.
 * - `csv` without it: the operator listed the person knowing they may be a member: not vetoed.
 * - `inactive`: an idle Reader is a member by definition: never vetoed.
 * - anything else (an unknown or missing source on an old task): vetoed, the safe side.
 */
export function membershipVetoes(source: string, keepMembers: boolean): boolean {
  if (source === 'inactive') return false;
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
 * Whether a queued task's person is back in a group according to a snapshot taken after the task
 * was queued, for a task whose source membership vetoes (`rejoinVetoApplies`). The planner
 * cancels such tasks; the CLI's apply and the worker Lambda skip them just before the delete.
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
  return rejoinVetoApplies(task) && members.has(task.email) && membersAsOf > task.createdAt;
}
