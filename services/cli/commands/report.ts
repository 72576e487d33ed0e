import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description(
      'a self-contained HTML report of a run for operators (read from the reports bucket when IDSYNC_REPORTS_BUCKET is set and it holds the run)',
    )
    .option(
      '--run <id>',
      'the run (default: the newest run with decisions or outcomes, 30 days back)',
    )
    .option('--out <file>', 'the HTML file to write, e.g. report.html')
    .action(
      action(ctx, async (flags: { run?: string; out?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (!flags.out) throw new UsageError('report needs --out FILE (e.g. --out report.html)');
        const config = loadConfig(['report'], ctx.io.env);
        const { buildStores } = await import('../../../shared/clients-from-config.js');
        const { writeReport } = await import('../../audit/write-report.js');
        const { formatMoney } = await import('../../audit/report-text.js');
        if (flags.run && config.report.reportsBucket) {
          // A run of the Lambda functions stored its report in the bucket: that one is read back.
          const { fromReportsBucket } = await import('../report-from-bucket.js');
          const found = await fromReportsBucket(config, flags.run, flags.out);
          if (found) {
            printResult(
              ctx.io,
              globals,
              found,
              `report of run ${found.runId}: ${found.path} (from ${found.source})`,
            );
            return ExitCode.Ok;
          }
        }
        const stores = buildStores(config);
        try {
          const written = await writeReport(stores, {
            ...(flags.run ? { runId: flags.run } : {}),
            out: flags.out,
            readerPrice: config.report.readerPrice,
          });
          const { decisions, outcomes } = written.counts;
          const list = (c: Readonly<Record<string, number>>) =>
            Object.entries(c)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ') || 'none';
          const text = [
            `report of run ${written.runId}: ${written.path}`,
            `  decisions: ${list(decisions)}`,
            `  outcomes: ${list(outcomes)}`,
            `  ${written.counts.failures} failed, ${written.counts.misses} misses; estimated saving ${formatMoney(written.counts.monthlySavings)} a month`,
          ].join('\n');
          printResult(ctx.io, globals, written, text);
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
