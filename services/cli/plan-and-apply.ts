import type { Config } from '../../shared/config/index.js';
import type { Removal } from '../../shared/domain.js';
import type { GuardOverride } from '../removals/plan/guard.js';
import type { PlanOptions, PlanRunResult } from '../removals/plan/run-plan.js';
import type { Applied } from './apply-tasks.js';
import type { CommandRun } from './io.js';

/** The plan options every command shares: run id, namespace, settings and the guard override. */
export function planOptions(
  config: Pick<Config, 'plan' | 'quicksight'>,
  runId: string,
  override: GuardOverride | undefined,
  rest: Pick<PlanOptions, 'includeLeavers' | 'persistTasks' | 'extraRemovals'>,
): PlanOptions {
  return {
    runId,
    namespace: config.quicksight.namespace,
    settings: config.plan,
    ...(override ? { override } : {}),
    ...rest,
  };
}

export interface ExplicitRemovals {
  readonly override: GuardOverride | undefined;
  readonly removals: readonly Removal[];
  readonly apply: boolean;
  /** Called once the plan's tasks are queued, before the worker runs them. */
  readonly beforeApply?: () => Promise<void>;
}

/**
 * Plans explicit removals (a CSV, DeleteUser events) and, with `apply` and the guard not tripped,
 * queues and runs this run's tasks through the worker. Without `apply` nothing is queued.
 */
export async function planAndMaybeApply(
  run: CommandRun<Pick<Config, 'core' | 'aws' | 'plan' | 'quicksight' | 'worker'>>,
  r: ExplicitRemovals,
): Promise<{ plan: PlanRunResult; applied?: Applied }> {
  // Loaded on use, like every command's heavy modules (`idsync --help` loads none of them).
  const { runPlan } = await import('../removals/plan/run-plan.js');
  const { buildGuardWindow } = await import('../../shared/clients-from-config.js');
  const plan = await runPlan(
    {
      ...run.stores,
      logger: run.logger,
      guardWindow: buildGuardWindow(run.stores, run.config.plan),
    },
    planOptions(run.config, run.runId, r.override, {
      includeLeavers: false,
      extraRemovals: r.removals,
      persistTasks: r.apply,
    }),
  );
  if (!r.apply || plan.plan.guard.tripped) return { plan };
  await r.beforeApply?.();
  const { applyTasks } = await import('./apply-tasks.js');
  const applied = await applyTasks(run.config, run.stores, run.logger, {
    runId: run.runId,
    onlyRunId: run.runId,
    // A killed run's tasks for the same deletions are this plan's too: run them, not just report.
    ...(plan.tasks.existingTaskIds ? { alsoTaskIds: plan.tasks.existingTaskIds } : {}),
    io: run.io,
    json: run.globals.json === true,
    ...(r.override?.maxDeletions !== undefined ? { release: r.override.maxDeletions } : {}),
  });
  return { plan, applied };
}

/** The closing line of a command that only planned. */
export function dryRunLine(plan: PlanRunResult): string[] {
  return plan.plan.guard.tripped
    ? []
    : ['', 'Dry run: nothing deleted. Run again with --apply to delete.'];
}
