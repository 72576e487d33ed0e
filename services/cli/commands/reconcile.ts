import type { Command } from 'commander';
import { loadConfig } from '../../../shared/config/index.js';
import { newRunId } from '../../../shared/run-id.js';
import { formatPlan } from '../format-plan.js';
import { action, type CliContext, ExitCode, type GlobalOptions, printResult } from '../io.js';
import { planOptions } from '../plan-and-apply.js';
import { formatPending } from './apply.js';
import {
  type GuardFlags,
  guardOverride,
  listLimit,
  withGuardFlags,
  withListFlags,
} from './plan.js';
import { formatManifest } from './snapshot.js';

export function registerReconcile(program: Command, ctx: CliContext): void {
  withListFlags(
    withGuardFlags(
      program
        .command('reconcile')
        .description('snapshot → plan → apply (dry run without --apply)')
        .option('--apply', 'really delete (default: plan and list what would be deleted)')
        .option('--report <file>', 'write the HTML report of this run to FILE'),
    ),
  ).action(
    action(
      ctx,
      async (
        flags: GuardFlags & { apply?: boolean; report?: string; all?: boolean; limit?: string },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig(
          ['google', 'identityStore', 'quicksight', 'snapshot', 'plan', 'worker', 'report'],
          ctx.io.env,
        );
        const override = guardOverride(flags);
        const limit = listLimit(flags);
        const { takeSnapshot } = await import('../take-snapshot.js');
        const runtime = await import('../../../shared/runtime.js');
        const { runPlan } = await import('../../plan/run-plan.js');
        const { applyTasks, pendingTasks } = await import('../apply-tasks.js');
        const logger = runtime.buildLogger(config);
        const out: string[] = [];
        const snapshot = await takeSnapshot(config);
        out.push(formatManifest(snapshot.manifest));
        if (snapshot.manifest.status !== 'COMPLETE') {
          out.push(
            `PARTIAL: ${snapshot.manifest.reason}`,
            'Nothing planned or deleted; fix the cause and run again.',
          );
          printResult(ctx.io, globals, { snapshot }, out.join('\n'));
          return ExitCode.GuardOrPartial;
        }
        const stores = runtime.buildStores(config);
        try {
          const runId = newRunId();
          const plan = await runPlan(
            { ...stores, logger },
            planOptions(config, runId, override, { includeLeavers: true, persistTasks: true }),
          );
          out.push('', formatPlan(plan, { limit }));
          if (plan.plan.guard.tripped) {
            printResult(ctx.io, globals, { snapshot, plan }, out.join('\n'));
            return ExitCode.GuardOrPartial;
          }
          if (!flags.apply) {
            const tasks = await pendingTasks(stores);
            out.push('', formatPending(tasks));
            printResult(ctx.io, globals, { snapshot, plan, dryRun: true, tasks }, out.join('\n'));
            return ExitCode.Ok;
          }
          const applied = await applyTasks(config, stores, logger, {
            runId,
            io: ctx.io,
            json: globals.json === true,
          });
          out.push('', applied.text);
          const { writeRunReport, reportOutcome } = await import('../write-run-report.js');
          const report = flags.report
            ? await writeRunReport(stores, runId, flags.report, config.report.readerPrice)
            : undefined;
          if (report?.ok) out.push(report.text);
          printResult(
            ctx.io,
            globals,
            {
              snapshot,
              plan,
              applied: applied.summary,
              ...(report && !report.ok ? { reportError: report.error } : {}),
            },
            out.join('\n'),
          );
          const code = applied.summary.failed > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
          return reportOutcome(ctx.io, report, code);
        } finally {
          stores.close();
        }
      },
    ),
  );
}
