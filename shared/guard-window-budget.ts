/**
 * The guard window's budget and its one-run override, the one statement of both (the plan counts
 * with it, services/removals/plan/run-plan.ts; the worker admits each deletion with it,
 * services/removals/worker/delete-checks.ts):
 *
 *   a deletion is admitted by the budget while fewer than IDSYNC_MAX_DELETIONS (`limit`) were
 *   made in the last IDSYNC_GUARD_WINDOW_HOURS (`used`); beyond that, a run given
 *   `--max-deletions N` (`override`) may make N more: N counts past what is left of the budget,
 *   whatever the window used (also when earlier overrides took it past the budget).
 *
 * So a run may make `max(0, limit − used) + N` deletions (`windowAllowance`), whether the plan
 * counts them ahead or the worker admits them one by one (`admitDeletion`).
 */

export interface WindowBudget {
  /** IDSYNC_MAX_DELETIONS. */
  readonly limit: number;
  /** `--max-deletions N` for this run; 0 without it. */
  readonly override: number;
}

export type Admission = 'budget' | 'override' | 'refused';

/**
 * One deletion: by the budget while `used` < `limit`; else by the override while this run made
 * fewer than `override` deletions beyond the budget (`beyondBudget`).
 */
export function admitDeletion(budget: WindowBudget, used: number, beyondBudget: number): Admission {
  if (used < budget.limit) return 'budget';
  if (beyondBudget < budget.override) return 'override';
  return 'refused';
}

/** How many deletions a run may make when the window has `used` slots taken. */
export function windowAllowance(budget: WindowBudget, used: number): number {
  return Math.max(0, budget.limit - used) + Math.max(0, budget.override);
}
