import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Removal } from '../../shared/domain.js';
import type { InactiveSelection } from '../plan/inactive-removals.js';

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

/** An idle user the notice rule keeps out of this review (not deleted now). */
export interface NoticedUser {
  readonly userName: string;
  readonly email: string;
  /** `noticed`: sent a notice now (a dry run: would be); `waiting`: noticed earlier, not long enough ago; `attention`: a notice SES refused or may not have sent. */
  readonly state: 'noticed' | 'waiting' | 'attention';
  /** The earliest removal (ISO date) of a noticed or waiting user. */
  readonly removalFrom?: string;
  readonly reason: string;
}

/** What the notice rule decided for a review's idle selection. */
export interface NoticeJudgement {
  /** The idle users the rule lets the review put up for approval. */
  readonly removals: Removal[];
  readonly noticed: NoticedUser[];
}

/**
 * Notices to the users about to lose their seat (IDSYNC_NOTICE_FROM): with `apply` the new
 * notices are sent (durably, once per idle spell, paced); a dry run sends none and lists who
 * would get one.
 */
export interface UserNotices {
  judge(
    selection: InactiveSelection,
    options: { readonly runId: string; readonly apply: boolean; readonly now: Date },
  ): Promise<NoticeJudgement>;
}

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
