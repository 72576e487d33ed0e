import type { Command } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { formatSummary } from '../format-applied.js';
import { formatPlan } from '../format-plan.js';
import { loadConfig } from '../lazy-config.js';
import { finishRun, runExitCode } from '../run-exit.js';
import { formatPending } from './apply.js';
import { type PlanFlags, readPlanFlags, withPlanFlags } from './plan.js';
import { formatManifest } from './snapshot.js';

export function registerReconcile(program: Command, ctx: CliContext): void {
  withPlanFlags(
    program
      .command('reconcile')
      .description('snapshot → plan → apply (dry run without --apply)')
      .option('--apply', 'really delete (default: plan and list what would be deleted)')
      .option('--report <file>', 'write the HTML report of this run to FILE'),
  ).action(
    action(
      ctx,
      async (flags: PlanFlags & { apply?: boolean; report?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig(
          [
            'google',
            'identityStore',
            'quicksight',
            'snapshot',
            'inactive',
            'plan',
            'worker',
            'report',
          ],
          ctx.io.env,
        );
        const { override, limit } = readPlanFlags(flags);
        const { takeSnapshot } = await import('../take-snapshot.js');
        const runtime = await import('../../../shared/clients-from-config.js');
        const { cliRemovals } = await import('../cli-removals.js');
        const { heldAtEnd, heldJson, exitWhileHeld } = await import('../held-exit.js');
        const logger = runtime.buildLogger(config);
        const out: string[] = [];
        const dryRun = flags.apply !== true;
        // One set of stores (one DynamoDB client) for the snapshot, the plan and the worker.
        const stores = runtime.buildStores(config);
        const removals = await cliRemovals(config, { stores, logger }, ctx.io, {
          dryRun,
          json: globals.json === true,
        });
        try {
          // The rows the snapshot listed go to the plan and the worker in memory, not read back.
          const { listed, ...snapshot } = await takeSnapshot(
            config,
            { stores, logger, holdListed: true },
            ctx.io,
          );
          out.push(formatManifest(snapshot.manifest));
          if (snapshot.manifest.status !== 'COMPLETE') {
            out.push(
              `PARTIAL: ${snapshot.manifest.reason}`,
              'Nothing planned or deleted; fix the cause and run again.',
            );
            printResult(ctx.io, globals, { snapshot }, out.join('\n'));
            return ExitCode.GuardOrPartial;
          }
          if (listed) removals.handOverSnapshot(snapshot.manifest, listed);
          const runId = newRunId();
          // A dry run queues nothing: it leaves no trace that changes a later run.
          const plan = await removals.plan({
            kind: 'leavers',
            runId,
            ...(override ? { override } : {}),
          });
          out.push('', formatPlan(plan, { limit }));
          const run = { io: ctx.io, globals, config, stores, logger, runId };
          if (plan.plan.guard.tripped) {
            // The guard's run still writes its report: it shows what was blocked.
            const held = await heldAtEnd(stores);
            return await finishRun(run, {
              reportFile: flags.report,
              result: { snapshot, plan, held: heldJson(held) },
              lines: [...out, ...held.lines],
              exitCode: ExitCode.GuardOrPartial,
              dryRun,
            });
          }
          const applied = await removals.apply({
            kind: 'queued',
            runId,
            leased: 'wait',
            ...(override?.maxDeletions !== undefined ? { release: override.maxDeletions } : {}),
          });
          const held = await heldAtEnd(stores);
          if (applied.dryRun) {
            const { tasks } = applied;
            out.push(
              '',
              formatPending(tasks),
              '',
              'Dry run: nothing queued or deleted. Run again with --apply to delete.',
              ...held.lines,
            );
            // A dry run's report shows what would be deleted, and says nothing was.
            return await finishRun(run, {
              reportFile: flags.report,
              result: { snapshot, plan, dryRun: true, tasks, held: heldJson(held) },
              lines: out,
              exitCode: exitWhileHeld(runExitCode({ plan }), held),
              dryRun: true,
            });
          }
          return await finishRun(run, {
            reportFile: flags.report,
            result: { snapshot, plan, applied: applied.summary, held: heldJson(held) },
            lines: [...out, '', formatSummary(applied.summary), ...held.lines],
            exitCode: exitWhileHeld(runExitCode({ plan, applied: applied.summary }), held),
          });
        } finally {
          removals.close();
          stores.close();
        }
      },
    ),
  );
}
