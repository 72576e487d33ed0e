import type { Stores } from '../../shared/clients-from-config.js';
import { describeError } from '../../shared/errors.js';
import type { PriceTable } from '../../shared/prices.js';
import type { ReportAccounts } from '../audit/report-accounts.js';
import { type CliIo, writeText } from './command-context.js';

/** The outcome of `--report FILE` after a run: the line saying where it is, or why it is not. */
export type RunReportResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly error: string };

/**
 * Writes the HTML report of a run. Never throws: the run's deletions are done, and its summary
 * must be printed whatever happens to the report; the caller prints the error after it.
 */
export async function writeRunReport(
  stores: Stores,
  runId: string,
  out: string,
  prices: PriceTable,
  options: { readonly dryRun?: boolean; readonly accounts?: ReportAccounts } = {},
): Promise<RunReportResult> {
  try {
    const { writeReport } = await import('../audit/write-report.js');
    const written = await writeReport(stores, {
      runId,
      out,
      prices,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.accounts ? { accounts: options.accounts } : {}),
    });
    return { ok: true, text: `report: ${written.path}` };
  } catch (error) {
    return { ok: false, error: describeError(error).replace(/\s*\n\s*/g, ' ') };
  }
}

/**
 * After the summary is printed: the report's error as one line on stderr, and exit code 4
 * (the run finished, one of its products did not); otherwise `exitCode` unchanged.
 */
export function reportOutcome(io: CliIo, report: RunReportResult | undefined, exitCode: number) {
  if (!report || report.ok) return exitCode;
  writeText(io.stderr, `idsync: ${report.error}`);
  return Math.max(exitCode, 4);
}
