import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../../shared/config/index.js';
import type { Decision, Removal } from '../../shared/domain.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import type { IdleSelection } from '../../shared/idle-selection.js';
import type { Logger } from '../../shared/logger.js';
import type { PriceTable } from '../../shared/prices.js';

/**
 * The review's ports to the outside. The local implementations here serve the CLI and the
 * sandbox; the reports bucket (S3 + pre-signed link), the operators' topic (SNS) and the user
 * notices (SES) plug in behind the same interfaces.
 */

export interface ReviewFile {
  /** File name, e.g. `review.html`, `review.csv`. */
  readonly name: string;
  readonly contentType: string;
  readonly body: string;
}

/** Where a review's reports are kept; returns the link an operator opens. */
export interface ReviewReports {
  put(runId: string, files: readonly ReviewFile[]): Promise<string>;
}

/** The review's summaries for the operators (shared/operator-notices.ts kinds). */
export type ReviewSummaryKind =
  | 'review_waiting'
  | 'review_done'
  | 'review_expired'
  | 'review_rejected'
  | 'review_stopped';

/** One summary: a headline, its lines, and the report's link when there is one. */
export interface ReviewSummary {
  readonly kind: ReviewSummaryKind;
  readonly runId: string;
  readonly headline: string;
  readonly lines: readonly string[];
  readonly reportUrl?: string;
}

/** What operators are told (a review waiting, done, expired, rejected, stopped). */
export interface OperatorSummary {
  publish(summary: ReviewSummary): Promise<void>;
}

export type {
  NoticedUser,
  NoticeJudgement,
  UserNotices,
} from '../../shared/notice-judgement.js';

/** The summary as one text (a log line, a CLI message). */
export function summaryText(s: ReviewSummary): string {
  return [s.headline, ...s.lines, ...(s.reportUrl ? [`Report: ${s.reportUrl}`] : [])].join('\n');
}

/** Reports as files under `dir/<runId>/`; the link is the HTML file's path. */
export function directoryReports(dir: string): ReviewReports {
  return {
    async put(runId, files) {
      const folder = resolve(dir, runId);
      await mkdir(folder, { recursive: true });
      for (const f of files) await writeFile(join(folder, f.name), f.body, 'utf8');
      const html = files.find((f) => f.name.endsWith('.html')) ?? files[0];
      return html ? join(folder, html.name) : folder;
    },
  };
}

/** Operator summaries as log lines (the Lambda's log, or the CLI's stderr). */
export function loggedSummary(write: (summary: ReviewSummary) => void): OperatorSummary {
  return {
    async publish(summary) {
      write(summary);
    },
  };
}

/**
 * Reports kept in the audit only (where no file store is configured): the link is the command
 * that renders the review's HTML report from the audit.
 */
export function auditedReports(): ReviewReports {
  return {
    async put(runId) {
      return `idsync report --run ${runId} --out review-${runId}.html`;
    },
  };
}

/**
 * What the review uses of the removals module, through its front door
 * (services/removals/removals.ts `Removals`, built by `composeRemovals` in the review handler and
 * by `cliRemovals` in `idsync review`): the idle selection of `idsync inactive`, and the plan of
 * those removals for approval (no task queued; the review writes them AWAITING_APPROVAL).
 */
export interface ReviewRemovals {
  selectIdle(options: {
    readonly days: number;
    readonly roles: Config['inactive']['roles'];
    readonly managedUsernamePrefix?: string;
    readonly keepGroups: Config['inactive']['keepGroups'];
    readonly now: Date;
    readonly maxLagMs: number;
  }): Promise<{ readonly selection: IdleSelection }>;
  plan(request: {
    readonly kind: 'review';
    readonly runId: string;
    readonly removals: readonly Removal[];
    readonly at: Date;
    readonly audit: boolean;
    readonly logger?: Logger;
  }): Promise<{
    readonly plan: { readonly decisions: readonly Decision[] };
    readonly snapshot: { readonly startedAt: string };
  }>;
}

/**
 * The audit's HTML report, for the review's own report and its final one (services/audit's
 * rendering, `auditPages` in services/audit/audit-pages.ts, handed in by the handler or command).
 */
export interface AuditPages {
  /** The page of run `runId`'s audit rows; undefined when the run wrote none. */
  ofRun(
    runId: string,
    options: { readonly prices: PriceTable; readonly dryRun: boolean },
  ): Promise<string | undefined>;
  /** The page of these rows, counted as run `runId`'s. */
  ofRows(runId: string, rows: readonly AuditRecord[], prices: PriceTable): string;
}
