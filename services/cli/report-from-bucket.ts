import { writeFile } from 'node:fs/promises';
import { createS3Client } from '../../shared/aws/clients.js';
import { reportKey, S3Reports } from '../../shared/aws/s3-reports.js';
import type { Config } from '../../shared/config/index.js';
import { outputWriteError, prepareOutputFile } from '../audit/output-file.js';
import { readStoredReport } from '../audit/stored-report.js';

/**
 * `idsync report --run RUN` with IDSYNC_REPORTS_BUCKET set: the report a Lambda run stored in the
 * bucket (services/audit/stored-report.ts), written to `out`; undefined when the bucket has none
 * for that run (the report is then built from the audit table as usual).
 */
export async function fromReportsBucket(
  config: Pick<Config, 'aws' | 'report'>,
  runId: string,
  out: string,
): Promise<{ runId: string; path: string; source: string } | undefined> {
  const bucketName = config.report.reportsBucket;
  if (!bucketName) return undefined;
  const client = createS3Client(config.aws);
  try {
    const html = await readStoredReport(new S3Reports(client, bucketName), runId);
    if (html === undefined) return undefined;
    const path = await prepareOutputFile(out, 'report');
    try {
      await writeFile(path, html, 'utf8');
    } catch (error) {
      throw outputWriteError(path, 'report', error);
    }
    return { runId, path, source: `s3://${bucketName}/${reportKey(runId, 'report.html')}` };
  } finally {
    client.destroy();
  }
}
