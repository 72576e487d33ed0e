import type { Decision } from '../../shared/domain.js';
import { type NewTask, taskIdOfDecision, taskOfDecision } from '../../shared/task.js';

/**
 * The task of one `delete` (or `leave_group`) decision of the review's plan (the same fields the plan's own queue
 * writes, services/removals/plan/run-plan.ts), or undefined for any other decision.
 */
export function reviewTask(d: Decision, namespace: string, runId: string): NewTask | undefined {
  const user = d.quickSightUser;
  if (!user || (d.decision !== 'delete' && d.decision !== 'leave_group')) return undefined;
  return taskOfDecision(d, user, taskIdOfDecision(namespace, d, user), runId);
}
