import type { Command } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import type { Departures } from '../../snapshot/departures.js';
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
        // The removals module (most of the command's code) loads while the snapshot lists; the
        // plan needs it once the snapshot is COMPLETE.
        const building = cliRemovals(config, { stores, logger }, ctx.io, {
          dryRun,
          json: globals.json === true,
        });
        building.catch(() => undefined); // awaited after the snapshot, or in `finally`
        // Neither the plan nor the worker reads the identity map: the IdC users the snapshot did
        // not show are marked gone while the worker works (run-snapshot.ts, `deferDepartures`),
        // and the run's result waits for them.
        let departures: Departures | undefined;
        try {
          // The rows the snapshot listed go to the plan and the worker in memory, not read back.
          const {
            listed,
            departures: later,
            ...taken
          } = await takeSnapshot(
            config,
            { stores, logger, holdListed: true, deferDepartures: true },
            ctx.io,
          );
          departures = later;
          /** The snapshot's result with the users marked gone (a failed marking is logged). */
          const marked = async () => {
            const goneUserIds = await departures?.mark();
            return goneUserIds ? { ...taken, goneUserIds } : taken;
          };
          out.push(formatManifest(taken.manifest));
          if (taken.manifest.status !== 'COMPLETE') {
            out.push(
              `PARTIAL: ${taken.manifest.reason}`,
              'Nothing planned or deleted; fix the cause and run again.',
            );
            printResult(ctx.io, globals, { snapshot: taken }, out.join('\n'));
            return ExitCode.GuardOrPartial;
          }
          const removals = await building;
          if (listed) removals.handOverSnapshot(taken.manifest, listed);
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
              result: { snapshot: await marked(), plan, held: heldJson(held) },
              lines: [...out, ...held.lines],
              exitCode: ExitCode.GuardOrPartial,
              dryRun,
            });
          }
          void departures?.mark(); // beside the worker; `marked()` waits for it
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
              result: {
                snapshot: await marked(),
                plan,
                dryRun: true,
                tasks,
                held: heldJson(held),
              },
              lines: out,
              exitCode: exitWhileHeld(runExitCode({ plan }), held),
              dryRun: true,
            });
          }
          return await finishRun(run, {
            reportFile: flags.report,
            result: {
              snapshot: await marked(),
              plan,
              applied: applied.summary,
              held: heldJson(held),
            },
            lines: [...out, '', formatSummary(applied.summary), ...held.lines],
            exitCode: exitWhileHeld(runExitCode({ plan, applied: applied.summary }), held),
          });
        } finally {
          // A run that failed part-way leaves no write going on after it.
          await departures?.settled();
          (await building.catch(() => undefined))?.close();
          stores.close();
        }
      },
    ),
  );
}
