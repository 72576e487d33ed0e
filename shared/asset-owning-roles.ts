import type { Task } from './task.js';
import { taskAction } from './task.js';

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
