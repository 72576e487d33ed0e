import type { Command } from 'commander';
import { loadConfig } from '../../../shared/config/index.js';
import { newRunId } from '../../../shared/run-id.js';
import type { EventOutcome } from '../../events/run-events.js';
import type { PlanRunResult } from '../../plan/run-plan.js';
import { formatPlan } from '../format-plan.js';
import { action, type CliContext, ExitCode, type GlobalOptions, printResult } from '../io.js';
import { readInput } from '../read-input.js';
import {
  type GuardFlags,
  guardOverride,
  listLimit,
  withGuardFlags,
  withListFlags,
} from './plan.js';

const BAD: ReadonlySet<EventOutcome['status']> = new Set(['rejected', 'unresolved']);
const ORDER: ReadonlyArray<EventOutcome['status']> = [
  'rejected',
  'unresolved',
  'gone',
  'duplicate',
  'resolved',
  'refreshed',
];
/** Events grouped by outcome, problems first, each group listed up to `limit` lines. */
export function formatOutcomes(outcomes: readonly EventOutcome[], limit: number): string[] {
  const counts = ORDER.map((s) => [s, outcomes.filter((o) => o.status === s)] as const).filter(
    ([, g]) => g.length > 0,
  );
  const lines = [
    `events: ${outcomes.length} (${counts.map(([s, g]) => `${g.length} ${s}`).join(', ') || 'none'})`,
  ];
  for (const [status, group] of counts) {
    lines.push(`${status}:`);
    for (const o of group.slice(0, limit)) lines.push(`  ${o.message}`);
    if (group.length > limit) lines.push(`  … and ${group.length - limit} more (--json lists all)`);
  }
  return lines;
}

export function registerHandleEvent(program: Command, ctx: CliContext): void {
  withListFlags(
    withGuardFlags(
      program
        .command('handle-event <file>')
        .description(
          'EventBridge/CloudTrail DeleteUser event(s) from FILE or - (stdin): one JSON object, an array, or JSON lines',
        )
        .option(
          '--apply',
          'delete the QuickSight users of the resolved people now (default: dry run)',
        ),
    ),
  ).action(
    action(
      ctx,
      async (
        file: string,
        flags: GuardFlags & { apply?: boolean; all?: boolean; limit?: string },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig(['identityStore', 'plan', 'quicksight', 'worker'], ctx.io.env);
        const override = guardOverride(flags);
        const limit = listLimit(flags);
        const input = (await readInput(file)).toString('utf8');
        const runtime = await import('../../../shared/runtime.js');
        const { handleEvents } = await import('../../events/run-events.js');
        const { runPlan } = await import('../../plan/run-plan.js');
        const logger = runtime.buildLogger(config);
        const stores = runtime.buildStores(config);
        const idc = runtime.buildIdentityStore(config, logger);
        try {
          const runId = newRunId();
          const handled = await handleEvents(
            { ...stores, identityStore: idc.port, logger },
            input,
            runId,
          );
          let plan: PlanRunResult | undefined;
          let applied:
            | Awaited<ReturnType<typeof import('../apply-tasks.js').applyTasks>>
            | undefined;
          if (handled.removals.length > 0) {
            plan = await runPlan(
              { ...stores, logger },
              {
                runId,
                namespace: config.quicksight.namespace,
                settings: config.plan,
                ...(override ? { override } : {}),
                includeLeavers: false,
                extraRemovals: handled.removals,
                persistTasks: flags.apply === true,
              },
            );
            if (flags.apply && !plan.plan.guard.tripped) {
              for (const o of handled.outcomes)
                if (o.status === 'resolved' && o.eventId)
                  await stores.events.markPlanned(o.eventId, runId);
              const { applyTasks } = await import('../apply-tasks.js');
              applied = await applyTasks(config, stores, logger, {
                runId,
                onlyRunId: runId,
                io: ctx.io,
                json: globals.json === true,
              });
            }
          }
          const lines = formatOutcomes(handled.outcomes, limit);
          if (plan) lines.push('', formatPlan(plan, { limit }));
          if (applied) lines.push('', applied.text);
          else if (plan && !flags.apply && !plan.plan.guard.tripped)
            lines.push('', 'Dry run: nothing deleted. Run again with --apply to delete.');
          printResult(
            ctx.io,
            globals,
            { ...handled, plan, applied: applied?.summary },
            lines.join('\n'),
          );
          if (plan?.plan.guard.tripped) return ExitCode.GuardOrPartial;
          if (applied && applied.summary.failed > 0) return ExitCode.ItemsFailed;
          return handled.outcomes.some((o) => BAD.has(o.status))
            ? ExitCode.ItemsFailed
            : ExitCode.Ok;
        } finally {
          idc.close();
          stores.close();
        }
      },
    ),
  );
}
