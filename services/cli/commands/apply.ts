import { type Command, Option } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { formatSummary } from '../format-applied.js';
import { loadConfig } from '../lazy-config.js';
import { finishRun, runExitCode } from '../run-exit.js';
import { guardOverride } from './plan.js';

const LIST_LIMIT = 25;

/** The dry-run text of the queued tasks (what `idsync apply` would run). */
export function formatPending(
  tasks: ReadonlyArray<{ email: string; userName: string; role: string; reason: string }>,
): string {
  if (tasks.length === 0) return 'No queued deletions.';
  const lines = [
    `Dry run: ${tasks.length.toLocaleString('en-US')} queued deletions would run (nothing deleted):`,
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
    .description(
      'delete the QuickSight users of the queued tasks (they already passed plan and guard) through the paced worker; --dry-run lists them',
    )
    .option('--dry-run', 'list the queued deletions; delete nothing')
    .option(
      '--no-wait',
      'do not wait for tasks leased by another worker: exit 4, naming how many remain and when to rerun',
    )
    .addOption(new Option('--apply', 'accepted for older scripts: apply is the default').hideHelp())
    .option('--report <file>', 'write the HTML report of this run to FILE')
    .option(
      '--max-deletions <n>',
      'release BLOCKED tasks and allow up to N deletions beyond the guard window budget, this run only',
    )
    .action(
      action(
        ctx,
        async (
          flags: { dryRun?: boolean; wait?: boolean; report?: string; maxDeletions?: string },
          command: Command,
        ) => {
          const globals = command.optsWithGlobals<GlobalOptions>();
          const config = loadConfig(['quicksight', 'worker', 'report', 'plan'], ctx.io.env);
          const release = guardOverride({ maxDeletions: flags.maxDeletions })?.maxDeletions;
          const runtime = await import('../../../shared/clients-from-config.js');
          const { cliRemovals } = await import('../cli-removals.js');
          const { heldAtEnd, heldJson, exitWhileHeld } = await import('../held-exit.js');
          const logger = runtime.buildLogger(config);
          const stores = runtime.buildStores(config);
          const removals = await cliRemovals(config, { stores, logger }, ctx.io, {
            dryRun: flags.dryRun === true,
            json: globals.json === true,
          });
          try {
            const runId = newRunId();
            const applied = await removals.apply({
              kind: 'queued',
              runId,
              leased: flags.wait === false ? 'report' : 'wait',
              ...(release !== undefined ? { release } : {}),
            });
            const held = await heldAtEnd(stores);
            if (applied.dryRun) {
              const { tasks } = applied;
              printResult(
                ctx.io,
                globals,
                { dryRun: true, tasks, held: heldJson(held) },
                [formatPending(tasks), ...held.lines].join('\n'),
              );
              return exitWhileHeld(ExitCode.Ok, held);
            }
            return await finishRun(
              { io: ctx.io, globals, config, stores, logger, runId },
              {
                reportFile: flags.report,
                result: { runId, summary: applied.summary, held: heldJson(held) },
                lines: [`apply ${runId}`, formatSummary(applied.summary), ...held.lines],
                exitCode: exitWhileHeld(runExitCode({ applied: applied.summary }), held),
              },
            );
          } finally {
            removals.close();
            stores.close();
          }
        },
      ),
    );
}
