import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Removal } from '../../shared/domain.js';

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

/** What operators are told (a review waiting, done, expired, stopped). */
export interface OperatorSummary {
  publish(subject: string, text: string): Promise<void>;
}

/** Notices to the users about to lose their seat, before the review deletes them. */
export interface UserNotices {
  sendFor(candidates: readonly Removal[]): Promise<void>;
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
export function loggedSummary(write: (subject: string, text: string) => void): OperatorSummary {
  return {
    async publish(subject, text) {
      write(subject, text);
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
