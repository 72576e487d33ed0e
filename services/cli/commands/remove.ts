import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import { action, type CliContext, type GlobalOptions, printResult } from '../command-context.js';
import { CsvErrorAudit, csvErrorLines, SHOWN_BAD_ROWS } from '../csv-error-rows.js';
import { csvReadLine } from '../csv-read-line.js';
import { dryRunLine, formatSummary } from '../format-applied.js';
import { formatPlan } from '../format-plan.js';
import { writeJsonStreamed } from '../json-stream.js';
import { loadConfig } from '../lazy-config.js';
import { openInput } from '../read-input.js';
import { hasInvalid, runExitCode } from '../run-exit.js';
import { type PlanFlags, readPlanFlags, withPlanFlags } from './plan.js';

type RemoveFlags = PlanFlags & { csv?: string; apply?: boolean; keepMembers?: boolean };

export function registerRemove(program: Command, ctx: CliContext): void {
  withPlanFlags(
    program
      .command('remove')
      .description(
        'remove the QuickSight users of the emails in a CSV (column email); dry run without --apply',
      )
      .option(
        '--csv <file>',
        'CSV file (UTF-8, UTF-16 with BOM, or Shift_JIS/CP932) with an email column, or - for stdin',
      )
      .option('--apply', 'delete the matched QuickSight users now (default: dry run)')
      .option(
        '--keep-members',
        'defer listed people who are still in a configured group (default: delete them as listed)',
      ),
  ).action(
    action(ctx, async (flags: RemoveFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (!flags.csv) throw new UsageError('remove needs --csv FILE');
      const config = loadConfig(['plan', 'quicksight', 'worker'], ctx.io.env);
      const { override, limit } = readPlanFlags(flags);
      const runtime = await import('../../../shared/clients-from-config.js');
      const { cliRemovals } = await import('../cli-removals.js');
      const logger = runtime.buildLogger(config);
      const stores = runtime.buildStores(config);
      const removals = await cliRemovals(config, { stores, logger }, ctx.io, {
        dryRun: flags.apply !== true,
        json: globals.json === true,
      });
      try {
        const run = { io: ctx.io, globals, config, stores, logger, runId: newRunId() };
        const at = new Date().toISOString();
        const audit = new CsvErrorAudit(stores.audit, { runId: run.runId, at, source: 'csv' });
        const { parseRemovalCsv } = await import('../removal-csv.js');
        const csv = await parseRemovalCsv(await openInput(flags.csv), {
          keepErrors: SHOWN_BAD_ROWS,
          onError: (e) => audit.add(e),
        });
        await audit.flush();
        const { plan, summary: applied } = await removals.run({
          kind: 'removals',
          runId: run.runId,
          ...(override ? { override } : {}),
          removals: flags.keepMembers
            ? csv.removals.map((r) => ({ ...r, keepMembers: true }))
            : csv.removals,
        });
        const lines = [
          csvReadLine(flags.csv, csv.encoding),
          `CSV: ${csv.removals.length} people, ${csv.duplicates} duplicate rows collapsed, ${csv.errorCount} bad rows`,
          ...csvErrorLines(csv.errors, csv.errorCount, run.runId),
          '',
          formatPlan(plan, { limit }),
          ...(applied ? ['', formatSummary(applied)] : dryRunLine(plan)),
        ];
        const csvSummary = {
          people: csv.removals.length,
          duplicates: csv.duplicates,
          errorCount: csv.errorCount,
          errors: csv.errors,
          ...(csv.encoding ? { encoding: csv.encoding } : {}),
        };
        const result = { csv: csvSummary, plan, applied };
        // A CSV of any length: the JSON goes out a chunk at a time (same text as printResult).
        if (globals.json) await writeJsonStreamed(ctx.io.stdout, result);
        else printResult(ctx.io, globals, result, lines.join('\n'));
        return runExitCode({
          plan,
          ...(applied ? { applied } : {}),
          inputFailed: csv.errorCount > 0 || hasInvalid(plan),
        });
      } finally {
        removals.close();
        stores.close();
      }
    }),
  );
}
