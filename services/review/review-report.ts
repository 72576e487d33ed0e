import { stringify } from 'csv-stringify/sync';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import type { ReviewRecord } from '../../shared/review.js';
import type { Task } from '../../shared/task.js';
import type { ReviewConfig, ReviewDeps } from './review-deps.js';
import type { ReviewFile } from './review-ports.js';

/**
 * A review's report: the HTML page of its run's audit (the `AuditPages` port: services/audit's
 * rendering, handed in by the composing handler or command) and a CSV of
 * its tasks, stored through the ReviewReports port; the link is recorded with the review.
 */

export type ReviewReportKind = 'review' | 'final';

const COLUMNS = ['email', 'userName', 'role', 'source', 'status', 'reason'] as const;

/** The tasks as CSV, one row each, in COLUMNS order. */
export function reviewCsv(tasks: readonly Partial<Pick<Task, (typeof COLUMNS)[number]>>[]): string {
  return stringify(
    tasks.map((t) => COLUMNS.map((c) => t[c] ?? '')),
    { header: true, columns: [...COLUMNS] },
  );
}

export async function publishReviewReport(
  deps: Pick<ReviewDeps, 'stores' | 'reports' | 'reviews' | 'auditPages'>,
  config: Pick<ReviewConfig, 'report'>,
  review: ReviewRecord,
  tasks: readonly Partial<Task>[],
  kind: ReviewReportKind,
): Promise<string> {
  const files: ReviewFile[] = [];
  const page =
    kind === 'final'
      ? await finalPage(deps, config, review.runId, tasks)
      : // The review's own report is of a plan awaiting approval: nothing deleted yet. Only held
        // leavers (planned by earlier runs): no decisions of this run to show, no page.
        await deps.auditPages.ofRun(review.runId, {
          prices: config.report.prices,
          dryRun: true,
        });
  if (page) files.push({ name: `${kind}.html`, contentType: 'text/html', body: page });
  files.push({ name: `${kind}.csv`, contentType: 'text/csv', body: reviewCsv(tasks) });
  const link = await deps.reports.put(review.runId, files);
  await deps.reviews.setReport(review.runId, kind === 'review' ? 'report' : 'finalReport', link);
  return link;
}

/**
 * The final report's model: the review's own rows (decisions, steps, cancellations) and the
 * outcome rows the worker wrote for its tasks under the worker's runs (`execRunId`), counted as
 * the review's: its headline says what the review deleted.
 */
async function finalPage(
  deps: Pick<ReviewDeps, 'stores' | 'auditPages'>,
  config: Pick<ReviewConfig, 'report'>,
  runId: string,
  tasks: readonly Partial<Task>[],
): Promise<string> {
  const rows: AuditRecord[] = [];
  for await (const page of deps.stores.audit.byRun(runId)) rows.push(...page);
  const names = new Set(tasks.map((t) => t.userName));
  const execRuns = new Set(
    tasks.map((t) => t.execRunId).filter((r): r is string => r !== undefined && r !== runId),
  );
  for (const exec of execRuns)
    for await (const page of deps.stores.audit.byRun(exec))
      for (const r of page)
        if (r.kind === 'outcome' && names.has(r.userName)) rows.push({ ...r, runId });
  return deps.auditPages.ofRows(runId, rows, config.report.prices);
}
