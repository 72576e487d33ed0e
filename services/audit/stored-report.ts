import { reportKey, type S3Reports } from '../../shared/aws/s3-reports.js';

/**
 * A run's report in the reports bucket (shared/aws/s3-reports.ts, `runs/<runId>/report.html`).
 * The monthly review's final report is stored there (services/review/review-wiring.ts,
 * `bucketReports`); `idsync report --run RUN` reads it back with `readStoredReport` when
 * IDSYNC_REPORTS_BUCKET is set, and builds any other run's report from the audit table.
 */

export type BucketReports = Pick<S3Reports, 'get'>;

/** The stored HTML report of a run, or undefined when the bucket has none. */
export function readStoredReport(
  bucket: BucketReports,
  runId: string,
): Promise<string | undefined> {
  return bucket.get(reportKey(runId, 'report.html'));
}
