import { stringify } from 'csv-stringify/sync';
import { reportKey, type S3Reports } from '../../shared/aws/s3-reports.js';
import type { StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { AUDIT_COLUMNS, csvCells } from './audit-format.js';
import { renderReport } from './render-report.js';
import { type LoadReportOptions, loadReportModel, type ReportStores } from './write-report.js';

/**
 * A run's report in the reports bucket (shared/aws/s3-reports.ts): the HTML page of
 * `idsync report` and the run's audit rows as CSV (the columns of `idsync audit --format csv`).
 * The Lambda runs store theirs with `storeRunReport` (the review workflow's handlers call it);
 * `idsync report --run RUN` reads the HTML back with `readStoredReport` when
 * IDSYNC_REPORTS_BUCKET is set.
 */

export interface StoredReport {
  readonly runId: string;
  readonly htmlKey: string;
  readonly csvKey: string;
}

export type BucketReports = Pick<S3Reports, 'put' | 'get'>;

/** Renders the run's report and CSV from the audit table and puts both in the bucket. */
export async function storeRunReport(
  stores: ReportStores,
  bucket: BucketReports,
  options: LoadReportOptions & { readonly runId: string },
): Promise<StoredReport> {
  const model = await loadReportModel(stores, options);
  const rows: StoredAuditRecord[] = [];
  for await (const page of stores.audit.byRun(model.runId)) rows.push(...page);
  const csv = stringify([[...AUDIT_COLUMNS], ...rows.map(csvCells)]);
  const htmlKey = reportKey(model.runId, 'report.html');
  const csvKey = reportKey(model.runId, 'report.csv');
  await bucket.put(htmlKey, renderReport(model), 'text/html; charset=utf-8');
  await bucket.put(csvKey, csv, 'text/csv; charset=utf-8');
  return { runId: model.runId, htmlKey, csvKey };
}

/** The stored HTML report of a run, or undefined when the bucket has none. */
export function readStoredReport(
  bucket: BucketReports,
  runId: string,
): Promise<string | undefined> {
  return bucket.get(reportKey(runId, 'report.html'));
}
