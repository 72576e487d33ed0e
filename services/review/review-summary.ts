import type { ReviewRecord } from '../../shared/review.js';
import { approvalInput, type ReviewDeps } from './review-deps.js';
import { type NoticedUser, type ReviewSummary, summaryText } from './review-ports.js';

/**
 * What the review tells the operators (services/review/review-wiring.ts sends it to the topic
 * or the log): a review waiting with its counts, money, link and the approval input to copy; a
 * review that did not run. And the idle users the notice rule kept out of a review, kept as
 * audit rows of its run so every step (and its report) can list them.
 */

/**
 * The operators' summary of a review waiting: counts, money, the link and how to decide (the
 * approval input to copy); the users noticed instead, with their earliest removal.
 */
export function reviewSummary(
  review: ReviewRecord,
  noticed: readonly Pick<NoticedUser, 'userName' | 'reason'>[] = [],
): ReviewSummary {
  const c = review.counts;
  const noticedLines =
    noticed.length === 0
      ? []
      : [
          `${noticed.length} idle users are not up for removal yet (notices to users):`,
          ...noticed.map((u) => `  ${u.userName}: ${u.reason}`),
        ];
  const reportUrl = review.report ?? '-';
  if (!c || c.idle + c.leavers === 0)
    return {
      kind: 'review_done',
      runId: review.runId,
      headline: `The monthly review ${review.runId} found nobody to remove.`,
      lines: noticedLines,
      reportUrl,
    };
  return {
    kind: 'review_waiting',
    runId: review.runId,
    headline: `The monthly review ${review.runId} puts ${c.idle + c.leavers} QuickSight users up for removal: ${c.idle} idle for ${review.days} days, ${c.leavers} leavers held by the guard.`,
    lines: [
      `Removing them saves about $${review.monthlySavings ?? 0} a month (${c.readers} Readers).`,
      ...noticedLines,
      `Nothing is deleted before you approve it. Decide by ${review.deadline}; after that the review expires and nobody is deleted.`,
      `In the AWS console, run the approval function with this test event: ${approvalInput(review.runId, 'approve')}`,
      `  (to reject: ${approvalInput(review.runId, 'reject')})`,
      `Or on the command line: idsync review approve ${review.runId}   (or: idsync review reject ${review.runId})`,
    ],
    reportUrl,
  };
}

/** The summary of a review waiting, as text (what `idsync review start --apply` prints). */
export function reviewNotice(
  review: ReviewRecord,
  noticed: readonly Pick<NoticedUser, 'userName' | 'reason'>[] = [],
): string {
  return summaryText(reviewSummary(review, noticed));
}

/** The summary of a review that did not run. */
export function stoppedSummary(runId: string | undefined, reason: string): ReviewSummary {
  return {
    kind: 'review_stopped',
    runId: runId ?? '-',
    headline: `The monthly review${runId ? ` ${runId}` : ''} did not run: ${reason}`,
    lines: [
      'Nothing was planned and nobody was deleted. Fix the cause and start the review again.',
    ],
  };
}

const NOTICED = 'noticed';

/** One audit row per idle user the notice rule kept out of the review (the report lists them). */
export async function recordNoticed(
  deps: Pick<ReviewDeps, 'stores'>,
  runId: string,
  now: Date,
  noticed: readonly NoticedUser[],
): Promise<void> {
  if (noticed.length === 0) return;
  await deps.stores.audit.appendBatched(
    noticed.map((u) => ({
      runId,
      at: now.toISOString(),
      kind: 'review',
      source: 'inactive',
      email: u.email,
      userName: u.userName,
      decision: NOTICED,
      reason: u.reason,
      detail: { state: u.state, ...(u.removalFrom ? { removalFrom: u.removalFrom } : {}) },
    })),
  );
}

/** The users review `runId` kept out because of the notice rule, from its audit rows. */
export async function noticedOf(
  deps: Pick<ReviewDeps, 'stores'>,
  runId: string,
): Promise<Pick<NoticedUser, 'userName' | 'email' | 'reason'>[]> {
  const out: Pick<NoticedUser, 'userName' | 'email' | 'reason'>[] = [];
  const seen = new Set<string>();
  for await (const page of deps.stores.audit.byRun(runId))
    for (const r of page)
      if (r.kind === 'review' && r.decision === NOTICED && r.userName && !seen.has(r.userName)) {
        seen.add(r.userName);
        out.push({ userName: r.userName, email: r.email ?? '', reason: r.reason ?? '' });
      }
  return out;
}
