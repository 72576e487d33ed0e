import type { Command } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import type { EventOutcome } from '../../events/run-events.js';
import { action, type CliContext, type GlobalOptions, printResult } from '../command-context.js';
import { dryRunLine, formatSummary } from '../format-applied.js';
import { formatPlan } from '../format-plan.js';
import { loadConfig } from '../lazy-config.js';
import { readInput } from '../read-input.js';
import { hasInvalid, runExitCode } from '../run-exit.js';
import { type PlanFlags, readPlanFlags, withPlanFlags } from './plan.js';

const BAD: ReadonlySet<EventOutcome['status']> = new Set([
  'rejected',
  'unresolved',
  'foreign',
  'deferred',
]);
const ORDER: ReadonlyArray<EventOutcome['status']> = [
  'foreign',
  'rejected',
  'unresolved',
  'deferred',
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
  withPlanFlags(
    program
      .command('handle-event <file>')
      .description(
        'EventBridge/CloudTrail DeleteUser event(s) from FILE or - (stdin): one JSON object, an array, or JSON lines',
      )
      .option(
        '--apply',
        'delete the QuickSight users of the resolved people now (default: dry run)',
      ),
  ).action(
    action(ctx, async (file: string, flags: PlanFlags & { apply?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadConfig(['identityStore', 'plan', 'quicksight', 'worker'], ctx.io.env);
      const { override, limit } = readPlanFlags(flags);
      const input = (await readInput(file)).toString('utf8');
      const runtime = await import('../../../shared/clients-from-config.js');
      const { eventTrustOf, handleEvents, markEventsPlanned } = await import(
        '../../events/run-events.js'
      );
      const { cliRemovals } = await import('../cli-removals.js');
      const logger = runtime.buildLogger(config);
      const stores = runtime.buildStores(config);
      const idc = runtime.buildIdentityStore(config, logger);
      const removals = await cliRemovals(config, { stores, logger }, ctx.io, {
        dryRun: flags.apply !== true,
        json: globals.json === true,
      });
      try {
        const runId = newRunId();
        const handled = await handleEvents(
          {
            ...stores,
            identityStore: idc.port,
            logger,
            trust: eventTrustOf(config),
          },
          input,
          runId,
          { dryRun: flags.apply !== true },
        );
        const result =
          handled.removals.length > 0
            ? await removals.run(
                {
                  kind: 'removals',
                  runId,
                  ...(override ? { override } : {}),
                  removals: handled.removals,
                },
                { beforeApply: () => markEventsPlanned(stores.events, handled.outcomes, runId) },
              )
            : undefined;
        const plan = result?.plan;
        const applied = result?.summary;
        const lines = formatOutcomes(handled.outcomes, limit);
        if (plan) lines.push('', formatPlan(plan, { limit }));
        if (applied) lines.push('', formatSummary(applied));
        else if (plan) lines.push(...dryRunLine(plan));
        printResult(ctx.io, globals, { ...handled, plan, applied }, lines.join('\n'));
        return runExitCode({
          ...(plan ? { plan } : {}),
          ...(applied ? { applied } : {}),
          inputFailed: hasInvalid(plan) || handled.outcomes.some((o) => BAD.has(o.status)),
        });
      } finally {
        removals.close();
        idc.close();
        stores.close();
      }
    }),
  );
}
