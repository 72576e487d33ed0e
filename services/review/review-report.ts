import { stringify } from 'csv-stringify/sync';
import { NotFoundError } from '../../shared/errors.js';
import type { ReviewRecord } from '../../shared/review.js';
import type { Task } from '../../shared/task.js';
import { renderReport } from '../audit/render-report.js';
import { loadReportModel } from '../audit/write-report.js';
import type { ReviewConfig, ReviewDeps } from './review-deps.js';
import type { ReviewFile } from './review-ports.js';

/**
 * A review's report: the HTML page of its run's audit (services/audit's rendering) and a CSV of
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
  deps: Pick<ReviewDeps, 'stores' | 'reports' | 'reviews'>,
  config: Pick<ReviewConfig, 'report'>,
  review: ReviewRecord,
  tasks: readonly Partial<Task>[],
  kind: ReviewReportKind,
): Promise<string> {
  const files: ReviewFile[] = [];
  try {
    const model = await loadReportModel(deps.stores, {
      runId: review.runId,
      readerPrice: config.report.readerPrice,
      // The review's own report is of a plan awaiting approval: nothing deleted yet.
      ...(kind === 'review' ? { dryRun: true } : {}),
    });
    files.push({ name: `${kind}.html`, contentType: 'text/html', body: renderReport(model) });
  } catch (error) {
    // Only held leavers (planned by earlier runs): no decisions of this run to show.
    if (!(error instanceof NotFoundError)) throw error;
  }
  files.push({ name: `${kind}.csv`, contentType: 'text/csv', body: reviewCsv(tasks) });
  const link = await deps.reports.put(review.runId, files);
  await deps.reviews.setReport(review.runId, kind === 'review' ? 'report' : 'finalReport', link);
  return link;
}
