import { type Task, taskAction } from '../../shared/task.js';

/**
 * What a dry-run apply says it would do with a task, by its action (shared/task.ts): a deletion
 * "would delete", a role change "would change the role of USER from ROLE to ROLE", a group
 * removal "would take EMAIL out of GROUP". The worker Lambda logs it for each task it was given.
 */
export function dryRunLine(
  task: Pick<Task, 'action' | 'userName' | 'role' | 'targetRole' | 'email' | 'group'>,
): string {
  switch (taskAction(task)) {
    case 'change_role':
      return `dry run: would change the role of ${task.userName} from ${task.role} to ${task.targetRole ?? 'its target role'}`;
    case 'leave_group':
      return `dry run: would take ${task.email} out of ${task.group ?? 'its group'}`;
    default:
      return 'dry run: would delete';
  }
}
