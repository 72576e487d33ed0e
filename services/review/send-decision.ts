import type { TaskTokenPort } from '../../shared/aws/sfn-task-token.js';
import { UsageError } from '../../shared/errors.js';
import {
  decisionRefusal,
  pastTense,
  REJECTED_ERROR,
  type ReviewDecision,
  type ReviewRecord,
  reviewRunIdProblem,
} from '../../shared/review.js';
import type { DecidedReview } from './decide-review.js';

/**
 * An operator's decision on a review. When the state machine waits for it (the review holds its
 * task token), the decision goes to the state machine, whose next state makes it (the Release or
 * Cancel step); without a token (the sandbox, or a review started by `idsync review start`), the
 * decision is made here, directly.
 */

export type SentDecision =
  | { readonly via: 'state machine'; readonly review: ReviewRecord }
  | { readonly via: 'direct'; readonly decided: DecidedReview };

export async function sendDecision(
  deps: {
    readonly get: (runId: string) => Promise<ReviewRecord | undefined>;
    readonly token?: TaskTokenPort;
    readonly direct: (decision: ReviewDecision) => Promise<DecidedReview>;
    readonly now?: () => Date;
  },
  runId: string,
  decision: 'approve' | 'reject',
  by: string,
): Promise<SentDecision> {
  const problem = reviewRunIdProblem(runId);
  if (problem) throw new UsageError(problem);
  const review = await deps.get(runId);
  if (!review) throw new UsageError(`no review ${runId} (idsync review list shows them)`);
  const refusal = decisionRefusal(review, decision, (deps.now ?? (() => new Date()))());
  if (refusal) throw new UsageError(refusal);
  if (review.taskToken && review.status === 'AWAITING') {
    if (!deps.token)
      throw new UsageError(
        `review ${runId} waits in its state machine: it can only be ${pastTense(decision)} through Step Functions (no client here)`,
      );
    if (decision === 'approve') await deps.token.succeed(review.taskToken, { decision, by });
    else await deps.token.fail(review.taskToken, REJECTED_ERROR, `rejected by ${by}`);
    return { via: 'state machine', review };
  }
  return { via: 'direct', decided: await deps.direct(decision) };
}
