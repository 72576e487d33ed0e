import { writeFile } from 'node:fs/promises';
import type { Stores } from '../../shared/clients-from-config.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { NotFoundError } from '../../shared/errors.js';
import type { PriceTable, Savings } from '../../shared/prices.js';
import { findNewestRun } from './newest-run.js';
import { outputWriteError, prepareOutputFile } from './output-file.js';
import { renderReport } from './render-report.js';
import type { AccountSplit, ReportAccounts } from './report-accounts.js';
import { buildReportModel, planRunIdsOf, type ReportModel } from './report-model.js';

/** `idsync report` (and `reconcile/apply --report`): read a run's audit, write the HTML page. */

export type ReportStores = Pick<Stores, 'audit' | 'doc' | 'names'>;

export interface LoadReportOptions {
  /** Default: the newest run with decision or outcome rows in the last `newestRunDays` days. */
  readonly runId?: string;
  readonly prices: PriceTable;
  /** 30. */
  readonly newestRunDays?: number;
  readonly now?: Date;
  /** The run was a dry run: the report's headline says nothing was deleted. */
  readonly dryRun?: boolean;
  /** The home account's id, to name the account of rows (./report-accounts.ts). */
  readonly accounts?: ReportAccounts;
}

export interface WriteReportOptions extends LoadReportOptions {
  readonly out: string;
}

export interface ReportCounts {
  readonly decisions: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly misses: number;
  readonly failures: number;
  /** Users deleted, and the saving a month, by role (shared/prices.ts). */
  readonly deleted: number;
  readonly savingsByRole: Savings['byRole'];
  readonly monthlySavings: number;
  /** Assets handed over to a successor (verified), by type (`DASHBOARD`: 3). */
  readonly handedOver: number;
  readonly handedOverByType: Readonly<Record<string, number>>;
  /** With rows of more than one QuickSight account: the totals per account and in all. */
  readonly byAccount?: AccountSplit;
}

export interface WrittenReport {
  /** Absolute path of the file written. */
  readonly path: string;
  readonly runId: string;
  readonly counts: ReportCounts;
}

async function rowsOf(stores: ReportStores, runId: string): Promise<AuditRecord[]> {
  const rows: AuditRecord[] = [];
  for await (const page of stores.audit.byRun(runId)) rows.push(...page);
  return rows;
}

/** The report model of a run: its rows, plus the decisions of the plan runs its outcomes name. */
export async function loadReportModel(
  stores: ReportStores,
  options: LoadReportOptions,
): Promise<ReportModel> {
  const now = options.now ?? new Date();
  const days = options.newestRunDays ?? 30;
  let runId = options.runId?.trim();
  if (!runId) {
    const newest = await findNewestRun(stores.doc, stores.names.audit, {
      kinds: ['decision', 'outcome'],
      days,
      now,
    });
    if (!newest)
      throw new NotFoundError(
        `no run with decisions or outcomes in the audit of the last ${days} days; pass --run ID`,
      );
    runId = newest.runId;
  }
  const rows = await rowsOf(stores, runId);
  if (rows.length === 0) throw new NotFoundError(`no audit rows for run ${runId}`);
  const planRows: AuditRecord[] = [];
  for (const planRunId of planRunIdsOf(runId, rows))
    planRows.push(...(await rowsOf(stores, planRunId)));
  return buildReportModel({
    runId,
    rows,
    planRows,
    prices: options.prices,
    generatedAt: now.toISOString(),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.accounts ? { accounts: options.accounts } : {}),
  });
}

export function reportCounts(model: ReportModel): ReportCounts {
  return {
    decisions: model.decisionCounts,
    outcomes: model.outcomeCounts,
    misses: model.misses.length,
    failures: model.failures.length,
    deleted: model.savings.seats,
    savingsByRole: model.savings.byRole,
    monthlySavings: model.savings.monthly,
    handedOver: model.handedOver?.assets.length ?? 0,
    handedOverByType: model.handedOver?.byType ?? {},
    ...(model.byAccount ? { byAccount: model.byAccount } : {}),
  };
}

/**
 * Writes the report of a run to `out` (creating its folder; refusing a target that is not a
 * regular file before anything is read) and says where and what it counted.
 */
export async function writeReport(
  stores: ReportStores,
  options: WriteReportOptions,
): Promise<WrittenReport> {
  const path = await prepareOutputFile(options.out, 'report');
  const model = await loadReportModel(stores, options);
  try {
    await writeFile(path, renderReport(model), 'utf8');
  } catch (error) {
    throw outputWriteError(path, 'report', error);
  }
  return { path, runId: model.runId, counts: reportCounts(model) };
}
