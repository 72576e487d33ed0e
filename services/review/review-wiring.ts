import { createS3Client, createSnsClient } from '../../shared/aws/clients.js';
import { RUN_REPORTS_PREFIX, reportKey, S3Reports } from '../../shared/aws/s3-reports.js';
import { SnsOperatorNotices } from '../../shared/aws/sns-operator-notices.js';
import type { Config } from '../../shared/config/index.js';
import type { Logger } from '../../shared/logger.js';
import { publishRunSummary, reviewNotice } from '../../shared/operator-notices.js';
import type { OperatorSummary, ReviewReports, ReviewSummary, UserNotices } from './review-ports.js';

/**
 * The review's ports from the configuration, in one place for the review Lambda, the approval
 * function and `idsync review` (the sandbox sets the same variables):
 * - reports: the reports bucket when IDSYNC_REPORTS_BUCKET is set (HTML + CSV under
 *   `runs/<runId>/`, the link a pre-signed GET of the HTML), else the caller's local store;
 * - operators: the operator topic when IDSYNC_OPERATOR_TOPIC_ARN is set (every summary is
 *   also logged), else log lines only;
 * - notices: the notice rule the caller built (the handler, `idsync review`) when
 *   IDSYNC_NOTICE_FROM is set, else none.
 */

const FINAL_HTML = 'final.html';

/** SigV4 pre-signed URLs are valid for at most 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export type ReviewPortsConfig = Pick<
  Config,
  'aws' | 'core' | 'quicksight' | 'inactive' | 'report' | 'notice' | 'plan'
> & { readonly lambda?: Pick<Config['lambda'], 'operatorTopicArn'> };

export interface ReviewPorts {
  readonly reports: ReviewReports;
  readonly operators: OperatorSummary;
  readonly notices?: UserNotices;
  /** Closes the AWS clients the ports built. */
  close(): void;
}

export interface ReviewPortsOptions {
  /** The reports when no bucket is configured. */
  readonly localReports: ReviewReports;
  /** Reports the caller chose explicitly (`--reports DIR`): they win over the bucket. */
  readonly chosenReports?: ReviewReports;
  /** How a summary is logged (always, topic or not). */
  readonly log: (summary: ReviewSummary) => void;
  /** The notice rule (services/notices/rule-notices.ts), built by the caller when IDSYNC_NOTICE_FROM is set. */
  readonly notices?: UserNotices;
}

export function reviewPorts(
  config: ReviewPortsConfig,
  logger: Pick<Logger, 'info' | 'warn'>,
  options: ReviewPortsOptions,
): ReviewPorts {
  const clients: { destroy(): void }[] = [];
  const bucket = config.report.reportsBucket;
  const topicArn = config.lambda?.operatorTopicArn;
  let reports = options.chosenReports ?? options.localReports;
  if (bucket && !options.chosenReports) {
    const s3 = createS3Client(config.aws);
    clients.push(s3);
    reports = bucketReports(
      new S3Reports(s3, bucket),
      presignSeconds(config.inactive.approvalDays),
    );
  }
  let operators: OperatorSummary = {
    async publish(summary) {
      options.log(summary);
    },
  };
  if (topicArn) {
    const sns = createSnsClient(config.aws);
    clients.push(sns);
    operators = topicSummary(
      new SnsOperatorNotices(sns, topicArn),
      config.core.tablePrefix,
      logger,
      options.log,
    );
  }
  return {
    reports,
    operators,
    ...(options.notices ? { notices: options.notices } : {}),
    close() {
      for (const c of clients) c.destroy();
    },
  };
}

/** How long the review's link works: the approval window, within SigV4's 7-day limit. */
export function presignSeconds(approvalDays: number): number {
  return Math.min(approvalDays * 24 * 3600, MAX_PRESIGN_SECONDS);
}

/** The key of a review file in the reports bucket. */
export function reviewFileKey(runId: string, name: string): string {
  return `${RUN_REPORTS_PREFIX}${runId}/${name}`;
}

/** A review's files in the reports bucket; the link is a pre-signed GET of the HTML (else the CSV). */
export function bucketReports(
  s3: Pick<S3Reports, 'put' | 'presignedGetUrl'>,
  expiresInSeconds: number,
): ReviewReports {
  return {
    async put(runId, files) {
      for (const f of files) {
        await s3.put(reviewFileKey(runId, f.name), f.body, `${f.contentType}; charset=utf-8`);
        // The final report is the review run's report: `idsync report --run RUN` reads it.
        if (f.name === FINAL_HTML)
          await s3.put(reportKey(runId, 'report.html'), f.body, `${f.contentType}; charset=utf-8`);
      }
      const shown = files.find((f) => f.name.endsWith('.html')) ?? files[0];
      return s3.presignedGetUrl(
        reviewFileKey(runId, shown?.name ?? 'review.csv'),
        expiresInSeconds,
      );
    },
  };
}

/** Summaries on the operator topic (shared/operator-notices.ts `reviewNotice`), and logged. */
export function topicSummary(
  topic: Parameters<typeof publishRunSummary>[0],
  deployment: string,
  logger: Pick<Logger, 'info' | 'warn'>,
  log: (summary: ReviewSummary) => void,
): OperatorSummary {
  return {
    async publish(s) {
      log(s);
      await publishRunSummary(
        topic,
        reviewNotice({
          kind: s.kind,
          deployment,
          runId: s.runId,
          headline: s.headline,
          lines: s.lines,
          ...(s.reportUrl && s.reportUrl !== '-' ? { reportUrl: s.reportUrl } : {}),
        }),
        logger,
      );
    },
  };
}
