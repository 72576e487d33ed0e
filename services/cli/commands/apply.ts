import type { Command } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import { action, type CliContext, ExitCode, type GlobalOptions, printResult } from '../io.js';
import { loadConfig } from '../lazy-config.js';

const LIST_LIMIT = 25;

/** The dry-run text of tasks that `--apply` would run. */
export function formatPending(
  tasks: ReadonlyArray<{ email: string; userName: string; role: string; reason: string }>,
): string {
  if (tasks.length === 0) return 'No queued deletions.';
  const lines = [
    `Dry run: ${tasks.length.toLocaleString('en-US')} queued deletions would run (nothing deleted; add --apply):`,
  ];
  for (const t of tasks.slice(0, LIST_LIMIT))
    lines.push(`  ${t.email}  ${t.userName} [${t.role}]  ${t.reason}`);
  if (tasks.length > LIST_LIMIT)
    lines.push(
      `  … and ${(tasks.length - LIST_LIMIT).toLocaleString('en-US')} more (--json lists all)`,
    );
  return lines.join('\n');
}

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('run the queued deletion tasks through the paced worker (dry run without --apply)')
    .option('--apply', 'really delete (default: list what would be deleted)')
    .option('--report <file>', 'write the HTML report of this run to FILE')
    .action(
      action(ctx, async (flags: { apply?: boolean; report?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig(['quicksight', 'worker', 'report'], ctx.io.env);
        const runtime = await import('../../../shared/runtime.js');
        const { applyTasks, pendingTasks } = await import('../apply-tasks.js');
        const logger = runtime.buildLogger(config);
        const stores = runtime.buildStores(config);
        try {
          if (!flags.apply) {
            const tasks = await pendingTasks(stores);
            printResult(ctx.io, globals, { dryRun: true, tasks }, formatPending(tasks));
            return ExitCode.Ok;
          }
          const runId = newRunId();
          const applied = await applyTasks(config, stores, logger, {
            runId,
            io: ctx.io,
            json: globals.json === true,
          });
          const lines = [`apply ${runId}`, applied.text];
          if (flags.report) {
            const { writeRunReport } = await import('../write-run-report.js');
            lines.push(
              await writeRunReport(stores, runId, flags.report, config.report.readerPrice),
            );
          }
          printResult(ctx.io, globals, { runId, summary: applied.summary }, lines.join('\n'));
          return applied.summary.failed > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
