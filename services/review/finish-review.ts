import type { ReviewRecord } from '../../shared/review.js';
import type { Task, TaskStatus } from '../../shared/task.js';
import type { ReviewConfig, ReviewDeps } from './review-deps.js';
import { publishReviewReport } from './review-report.js';
import { audit } from './start-review.js';

/**
 * The end of an approved review: wait until its released tasks are settled (no task of it is
 * PENDING or IN_PROGRESS), then the final report and the operators' summary.
 */

/** Statuses that still await the worker; the others are settled (FAILED and BLOCKED are held). */
const WAITING: readonly TaskStatus[] = ['PENDING', 'IN_PROGRESS'];
const SETTLED: readonly TaskStatus[] = ['DONE', 'CANCELLED', 'FAILED', 'BLOCKED'];

export interface ReviewProgress {
  readonly runId: string;
  readonly waiting: number;
  readonly settled: boolean;
  readonly byStatus: Readonly<Partial<Record<TaskStatus, number>>>;
  readonly deleted: number;
  readonly alreadyGone: number;
}

export async function reviewProgress(
  deps: Pick<ReviewDeps, 'stores'>,
  runId: string,
): Promise<ReviewProgress & { readonly tasks: readonly Task[] }> {
  const tasks: Task[] = [];
  for (const status of [...WAITING, ...SETTLED])
    for await (const page of deps.stores.tasks.ofReview(status, runId)) tasks.push(...page);
  const byStatus: Partial<Record<TaskStatus, number>> = {};
  for (const t of tasks) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
  const waiting = tasks.filter((t) => WAITING.includes(t.status)).length;
  return {
    runId,
    waiting,
    settled: waiting === 0,
    byStatus,
    deleted: tasks.filter((t) => t.outcome === 'deleted').length,
    alreadyGone: tasks.filter((t) => t.outcome === 'already_gone').length,
    tasks,
  };
}

/** The final outcome in one line. */
export function describeOutcome(p: ReviewProgress): string {
  const s = p.byStatus;
  const held = (s.FAILED ?? 0) + (s.BLOCKED ?? 0);
  return `${p.deleted} deleted, ${p.alreadyGone} already gone, ${s.CANCELLED ?? 0} cancelled, ${held} held (failed ${s.FAILED ?? 0}, blocked ${s.BLOCKED ?? 0})${p.waiting > 0 ? `, ${p.waiting} still queued` : ''}`;
}

/**
 * Finishes an approved review whose tasks are settled: DONE, the final report and the summary.
 * Returns undefined while tasks still wait (the state machine waits and asks again).
 */
export async function finishReview(
  deps: Pick<ReviewDeps, 'stores' | 'reviews' | 'reports' | 'auditPages' | 'operators' | 'now'>,
  config: Pick<ReviewConfig, 'report'>,
  runId: string,
): Promise<{ review: ReviewRecord; progress: ReviewProgress } | undefined> {
  const progress = await reviewProgress(deps, runId);
  if (!progress.settled) return undefined;
  const review = await deps.reviews.get(runId);
  if (!review) return undefined;
  if (review.status === 'DONE') return { review, progress };
  const now = (deps.now ?? (() => new Date()))();
  const outcome = describeOutcome(progress);
  if (
    !(await deps.reviews.transition(runId, ['APPROVED'], 'DONE', {
      finishedAt: now.toISOString(),
      outcome,
    }))
  )
    return { review: (await deps.reviews.get(runId)) ?? review, progress };
  await audit(deps, runId, now, 'done', outcome, { ...progress.byStatus });
  const link = await publishReviewReport(deps, config, review, progress.tasks, 'final');
  await deps.operators.publish({
    kind: 'review_done',
    runId,
    headline: `The monthly review ${runId} is done: ${outcome}.`,
    lines: [],
    reportUrl: link,
  });
  return {
    review: {
      ...review,
      status: 'DONE',
      finishedAt: now.toISOString(),
      outcome,
      finalReport: link,
    },
    progress,
  };
}
