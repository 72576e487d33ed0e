import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../../shared/errors.js';
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
    .option(
      '--since <when>',
      'instead: the money of a period: deletions and downgrades saved, seats kept that need attention, by role (30d, 2w, 2026-11-01)',
    )
    .action(
      action(
        ctx,
        async (flags: { run?: string; out?: string; since?: string }, command: Command) => {
          const globals = command.optsWithGlobals<GlobalOptions>();
          if (flags.since !== undefined) {
            if (flags.run || flags.out)
              throw new UsageError(
                'report --since prints the savings of a period: no --run or --out with it',
              );
            const config = reportConfig(ctx.io.env);
            const { parseSince } = await import('../../audit/since.js');
            const since = parseSince(flags.since, new Date());
            const { buildStores } = await import('../../../shared/clients-from-config.js');
            const { periodSavings } = await import('../../audit/period-savings.js');
            const { formatMoney } = await import('../../audit/report-text.js');
            const { describeSavings } = await import('../../../shared/prices.js');
            const stores = buildStores(config);
            try {
              const rows = [];
              for await (const page of stores.audit.since(since)) rows.push(...page);
              const result = periodSavings(
                since,
                rows,
                config.report.prices,
                await accountsOf(config),
              );
              const { savings, downgrades, kept } = result;
              const text = [
                `savings since ${since}: about ${formatMoney(result.monthly)} a month`,
                `  ${savings.seats} users deleted: ${describeSavings(savings, formatMoney)} (IDSYNC_PRICES)`,
                ...savings.byRole.map(
                  (r) =>
                    `  ${r.role}: ${r.count} × ${formatMoney(r.price)} = ${formatMoney(r.monthly)}`,
                ),
                `  ${downgrades.count} users downgraded: ${formatMoney(downgrades.monthly)} a month`,
                ...downgrades.byPair.map(
                  (p) =>
                    `  ${p.from} → ${p.to}: ${p.count} × ${formatMoney(p.each)} = ${formatMoney(p.monthly)}`,
                ),
                `  needs attention: ${kept.seats} seats kept cost ${formatMoney(kept.monthly)} a month${kept.seats > 0 ? ` (${describeSavings(kept, formatMoney)})` : ''}`,
                ...(result.byAccount ?? []).map(
                  (a) =>
                    `  account ${a.account}: about ${formatMoney(a.monthly)} a month (${a.savings.seats} deleted, ${a.downgrades.count} downgraded); ${a.kept.seats} seats kept cost ${formatMoney(a.kept.monthly)} a month`,
                ),
              ].join('\n');
              printResult(ctx.io, globals, result, text);
              return ExitCode.Ok;
            } finally {
              stores.close();
            }
          }
          if (!flags.out) throw new UsageError('report needs --out FILE (e.g. --out report.html)');
          const config = reportConfig(ctx.io.env);
          const { buildStores } = await import('../../../shared/clients-from-config.js');
          const { writeReport } = await import('../../audit/write-report.js');
          const { accountLine, formatMoney } = await import('../../audit/report-text.js');
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
              prices: config.report.prices,
              accounts: await accountsOf(config),
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
              ...(written.counts.handedOver > 0
                ? [`  handed over: ${list(written.counts.handedOverByType)}`]
                : []),
              ...(written.counts.byAccount
                ? [...written.counts.byAccount.accounts, written.counts.byAccount.total].map(
                    (t) => `  ${accountLine(t)}`,
                  )
                : []),
            ].join('\n');
            printResult(ctx.io, globals, written, text);
            return ExitCode.Ok;
          } finally {
            stores.close();
          }
        },
      ),
    );
}

/**
 * The report's configuration, with the QuickSight accounts when they are configured: the home
 * account is then named by its id (services/audit/report-accounts.ts). Without
 * IDSYNC_QUICKSIGHT_ACCOUNT_ID (a report read on another machine) it is "home account"; a value
 * that is set but invalid fails either way (shared/config/load-config.ts validates every one).
 */
function reportConfig(env: CliContext['io']['env']) {
  try {
    return loadConfig(['report', 'quicksight'], env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ...loadConfig(['report'], env), quicksight: undefined };
  }
}

async function accountsOf(config: ReturnType<typeof reportConfig>) {
  if (!config.quicksight) return undefined;
  const { reportAccountsOf } = await import('../../audit/report-accounts.js');
  return reportAccountsOf(config.quicksight);
}
