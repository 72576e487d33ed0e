import { describeError } from '../../../shared/errors.js';
import { needsHandover } from '../../../shared/removal-rules.js';
import type { Task } from '../../../shared/task.js';
import type { WorkerDeps } from './worker-ports.js';

/**
 * The worker's step before a task's call (./run-worker.ts): when the task would leave the user's
 * assets without an owner (`needsHandover`, or a Reader the record shows held a role that can
 * own: `heldOwningRole`, an unreadable record counting as yes), the HandOverAssets port runs
 * first. Undefined: the call may be sent; a string: the task is deferred with that reason.
 */
export async function handOverFirst(
  deps: Pick<WorkerDeps, 'handOver' | 'heldOwningRole' | 'logger'>,
  task: Task,
): Promise<string | undefined> {
  if (!deps.handOver) return undefined;
  if (!needsHandover(task) && !(await heldOwningRole(deps, task))) return undefined;
  try {
    const handover = await deps.handOver(task);
    return handover.kind === 'deferred' ? handover.reason : undefined;
  } catch (error) {
    return `asset handover failed: ${describeError(error)}`;
  }
}

/** The record shows the user held a role that can own assets (an error: assume it did). */
async function heldOwningRole(
  deps: Pick<WorkerDeps, 'heldOwningRole' | 'logger'>,
  task: Task,
): Promise<boolean> {
  if (!deps.heldOwningRole) return false;
  try {
    return await deps.heldOwningRole(task);
  } catch (error) {
    deps.logger.warn(
      { taskId: task.taskId, error: describeError(error) },
      'activity record not read: the asset handover searches anyway',
    );
    return true;
  }
}
