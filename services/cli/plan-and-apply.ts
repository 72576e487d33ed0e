import type { Config } from '../../shared/config/index.js';
import { DynamoGuardWindow } from '../../shared/dynamo/guard-window-store.js';
import type { Logger } from '../../shared/logger.js';
import type { Stores } from '../../shared/runtime.js';
import type { Removal } from '../plan/decide.js';
import type { GuardOverride } from '../plan/guard.js';
import type { PlanOptions, PlanRunResult } from '../plan/run-plan.js';
import type { Applied } from './apply-tasks.js';
import type { CliIo } from './io.js';

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
  readonly config: Pick<Config, 'core' | 'aws' | 'plan' | 'quicksight' | 'worker'>;
  readonly stores: Stores;
  readonly logger: Logger;
  readonly io: CliIo;
  readonly json: boolean;
  readonly runId: string;
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
  r: ExplicitRemovals,
): Promise<{ plan: PlanRunResult; applied?: Applied }> {
  // Loaded on use, like every command's heavy modules (`idsync --help` loads none of them).
  const { runPlan } = await import('../plan/run-plan.js');
  const plan = await runPlan(
    { ...r.stores, logger: r.logger, guardWindow: guardWindowOf(r) },
    planOptions(r.config, r.runId, r.override, {
      includeLeavers: false,
      extraRemovals: r.removals,
      persistTasks: r.apply,
    }),
  );
  if (!r.apply || plan.plan.guard.tripped) return { plan };
  await r.beforeApply?.();
  const { applyTasks } = await import('./apply-tasks.js');
  const applied = await applyTasks(r.config, r.stores, r.logger, {
    runId: r.runId,
    onlyRunId: r.runId,
    // A killed run's tasks for the same deletions are this plan's too: run them, not just report.
    ...(plan.tasks.existingTaskIds ? { alsoTaskIds: plan.tasks.existingTaskIds } : {}),
    io: r.io,
    json: r.json,
    ...(r.override?.maxDeletions !== undefined ? { release: r.override.maxDeletions } : {}),
  });
  return { plan, applied };
}

function guardWindowOf(r: ExplicitRemovals): DynamoGuardWindow {
  const hours = r.config.plan.guardWindowHours;
  return new DynamoGuardWindow(r.stores.doc, r.stores.names.guard, hours * 3_600_000);
}

/** The closing line of a command that only planned. */
export function dryRunLine(plan: PlanRunResult): string[] {
  return plan.plan.guard.tripped
    ? []
    : ['', 'Dry run: nothing deleted. Run again with --apply to delete.'];
}
