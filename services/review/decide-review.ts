import { UsageError } from '../../shared/errors.js';
import {
  DECIDED,
  decisionRefusal,
  pastTense,
  type ReviewDecision,
  type ReviewRecord,
  reviewRunIdProblem,
} from '../../shared/review.js';
import { inLanes } from './in-lanes.js';
import type { ReviewDeps } from './review-deps.js';
import { audit, awaitingOf } from './start-review.js';

/**
 * Approve, reject or expire a review. Approval releases exactly the review's tasks
 * (AWAITING_APPROVAL → PENDING, each conditional on the review's run id) and sends them to the
 * work queue when there is one; rejection and expiry cancel them, an audit row each, and delete
 * nobody. The review's status moves first (conditionally, from AWAITING), then its tasks: a
 * rerun after a kill finds the decision made and finishes moving the tasks left.
 */

export interface DecidedReview {
  readonly review: ReviewRecord;
  /** Tasks this call moved (released or cancelled). */
  readonly taskIds: readonly string[];
}

export async function decideReview(
  deps: Pick<ReviewDeps, 'reviews' | 'stores' | 'queue' | 'operators' | 'logger' | 'now'>,
  runId: string,
  decision: ReviewDecision,
  by: string,
): Promise<DecidedReview> {
  const now = (deps.now ?? (() => new Date()))();
  const problem = reviewRunIdProblem(runId);
  if (problem) throw new UsageError(problem);
  const review = await deps.reviews.get(runId);
  if (!review) throw new UsageError(`no review ${runId} (idsync review list shows them)`);
  const refusal = decisionRefusal(review, decision, now);
  if (refusal) throw new UsageError(refusal);
  const to = DECIDED[decision];
  if (review.status !== to) {
    const moved = await deps.reviews.transition(runId, ['AWAITING'], to, {
      decidedAt: now.toISOString(),
      decidedBy: by,
    });
    if (!moved) {
      const now2 = await deps.reviews.get(runId);
      if (now2?.status !== to)
        throw new UsageError(`review ${runId} was decided meanwhile: it is ${now2?.status}`);
    } else {
      await audit(deps, runId, now, pastTense(decision), `by ${by}`);
    }
  }
  const tasks = await awaitingOf(deps, runId);
  const moved: string[] = [];
  if (decision === 'approve') {
    await inLanes(tasks, async (t) => {
      if (await deps.stores.tasks.approve(t.taskId, runId)) moved.push(t.taskId);
    });
    // Every released task of the review, not only those this call moved: a rerun after a kill
    // announces the ones an earlier call released too (the worker claims each once).
    if (deps.queue) {
      const released: string[] = [];
      for await (const page of deps.stores.tasks.ofReview('PENDING', runId))
        released.push(...page.map((t) => t.taskId));
      if (released.length > 0) await deps.queue.send(released.map((taskId) => ({ taskId, runId })));
    }
  } else {
    const reason = `review ${runId} ${pastTense(decision)}: nobody is deleted`;
    // The rows first: a kill between the two leaves rows and tasks still awaiting, which a rerun
    // cancels (and records again), never a cancelled task without its row.
    await deps.stores.audit.append(
      tasks.map((t) => ({
        runId,
        at: now.toISOString(),
        kind: 'outcome' as const,
        email: t.email,
        userName: t.userName,
        role: t.role,
        source: t.source,
        outcome: 'cancelled',
        reason,
        detail: { taskId: t.taskId, review: runId, planRunId: t.runId },
      })),
    );
    await inLanes(tasks, async (t) => {
      if (await deps.stores.tasks.cancelAwaiting(t.taskId, runId, reason)) moved.push(t.taskId);
    });
  }
  if (decision !== 'approve' && review.status !== to) {
    await deps.operators.publish(
      `idsync review ${runId} ${pastTense(decision)}`,
      `The monthly review ${runId} was ${pastTense(decision)} (${by}): ${moved.length} removals cancelled, nobody deleted.`,
    );
  }
  deps.logger.info({ runId, decision, moved: moved.length }, `review ${pastTense(decision)}`);
  const after = (await deps.reviews.get(runId)) ?? review;
  return { review: after, taskIds: moved };
}
