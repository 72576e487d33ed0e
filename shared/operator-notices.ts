import { describeError } from './errors.js';
import type { WorkSummary } from './held-work.js';
import { HELD_KINDS, heldLines, WORK_LABELS } from './held-work.js';
import type { Logger } from './logger.js';

/**
 * Run summaries for the operators (the SNS operator topic in AWS, shared/aws/sns-operator-notices.ts;
 * the sandbox's SNS stand-in locally): what happened and the exact next step, in plain text. The
 * builders are pure; `publishRunSummary` never throws (a summary that cannot be sent is logged,
 * the run's work stands).
 */

export const NOTICE_KINDS = [
  'guard_tripped',
  'work_held',
  'review_waiting',
  'review_done',
  'review_expired',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface OperatorNotice {
  readonly kind: NoticeKind;
  readonly runId: string;
  /** One line of printable ASCII, at most 100 characters (SNS's limit for email subjects). */
  readonly subject: string;
  readonly body: string;
}

/** The port: the SNS adapter, or a recorder in tests. */
export interface OperatorNotices {
  publish(notice: OperatorNotice): Promise<void>;
}

export const MAX_SUBJECT_LENGTH = 100;

/** A subject SNS accepts: printable ASCII on one line, at most 100 characters. */
export function noticeSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const clipped =
    ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
  return clipped || 'idsync';
}

const n = (v: number) => v.toLocaleString('en-US');

function notice(kind: NoticeKind, runId: string, subject: string, lines: readonly string[]) {
  return { kind, runId, subject: noticeSubject(subject), body: `${lines.join('\n')}\n` };
}

/** The guard stopped a whole plan: how many deletions, why, and that they are held. */
export function guardTrippedNotice(input: {
  readonly deployment: string;
  readonly runId: string;
  readonly reasons: readonly string[];
  readonly work: WorkSummary;
}): OperatorNotice {
  return notice(
    'guard_tripped',
    input.runId,
    `idsync ${input.deployment}: the safety guard stopped plan ${input.runId}`,
    [
      `The safety guard stopped plan ${input.runId} (deployment ${input.deployment}): nothing was deleted.`,
      ...input.reasons.map((r) => `  ${r}`),
      '',
      ...heldLines(input.work),
    ],
  );
}

/** Removals wait for an operator (blocked by the guard window, held, awaiting approval). */
export function workHeldNotice(input: {
  readonly deployment: string;
  readonly runId: string;
  readonly work: WorkSummary;
}): OperatorNotice {
  const { work } = input;
  const kinds = HELD_KINDS.filter((k) => work.groups[k].count > 0)
    .map((k) => `${n(work.groups[k].count)} ${WORK_LABELS[k]}`)
    .join(', ');
  return notice(
    'work_held',
    input.runId,
    `idsync ${input.deployment}: ${n(work.held)} removals held`,
    [
      `After run ${input.runId} (deployment ${input.deployment}), ${kinds}.`,
      '',
      ...heldLines(work),
    ],
  );
}

/** The review workflow's summaries (waiting for approval, done, expired): its own lines. */
export function reviewNotice(input: {
  readonly kind: 'review_waiting' | 'review_done' | 'review_expired';
  readonly deployment: string;
  readonly runId: string;
  readonly headline: string;
  readonly lines: readonly string[];
  /** A pre-signed link to the report (shared/aws/s3-reports.ts, `presignedGetUrl`). */
  readonly reportUrl?: string;
}): OperatorNotice {
  return notice(input.kind, input.runId, `idsync ${input.deployment}: ${input.headline}`, [
    input.headline,
    '',
    ...input.lines,
    ...(input.reportUrl ? ['', `Report: ${input.reportUrl}`] : []),
  ]);
}

/**
 * What a plan run tells the operators: a summary only when it newly held removals (a message per
 * change, not one an hour while they wait: the HeldTasks alarm keeps reminding). A trip that held
 * nothing (a group went empty: no task is written) is the GuardTripped alarm's.
 */
export function planRunNotice(input: {
  readonly deployment: string;
  readonly runId: string;
  readonly tripped: boolean;
  readonly reasons: readonly string[];
  /** Tasks this run created BLOCKED. */
  readonly newlyHeld: number;
  readonly work: WorkSummary;
}): OperatorNotice | undefined {
  if (input.newlyHeld === 0) return undefined;
  return input.tripped ? guardTrippedNotice(input) : workHeldNotice(input);
}

/** Publishes a summary; logs and returns false when it could not be sent (never throws). */
export async function publishRunSummary(
  notices: OperatorNotices | undefined,
  summary: OperatorNotice,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<boolean> {
  if (!notices) return false;
  try {
    await notices.publish(summary);
    logger.info({ runId: summary.runId, kind: summary.kind }, 'operator notice published');
    return true;
  } catch (error) {
    logger.warn(
      { runId: summary.runId, kind: summary.kind, error: describeError(error) },
      'operator notice not published',
    );
    return false;
  }
}
