import { createSfnClient } from '../../shared/aws/clients.js';
import { sfnTaskToken, type TaskTokenPort } from '../../shared/aws/sfn-task-token.js';
import type { Env } from '../../shared/config/index.js';
import { UsageError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/lambda/lambda-handler.js';
import { decideReview } from './decide-review.js';
import { buildReviewDeps, REVIEW_SECTIONS, type ReviewHandlerOptions } from './handler.js';
import { sendDecision } from './send-decision.js';

/**
 * The approval function an operator runs from the AWS console (Lambda → Test) with the input
 * the notice gives: `{"review": "RUN", "decision": "approve"}` (or `"reject"`). It sends the
 * decision to the review's state machine with the stored task token; a review no state machine
 * waits on is decided directly (approval sends its tasks to the worker queue).
 */

export interface ApprovalInput {
  readonly review: string;
  readonly decision: 'approve' | 'reject';
}

export function parseApproval(event: unknown): ApprovalInput {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  if (typeof e.review !== 'string' || e.review.trim() === '')
    throw new UsageError('approval input needs "review": the review run id from the notice');
  if (e.decision !== 'approve' && e.decision !== 'reject')
    throw new UsageError('approval input needs "decision": "approve" or "reject"');
  return { review: e.review.trim(), decision: e.decision };
}

export interface ApprovalHandlerOptions extends ReviewHandlerOptions {
  /** The Step Functions answer; default SFN through @aws-sdk/client-sfn. Tests pass their own. */
  readonly token?: TaskTokenPort;
}

export function createApprovalHandler(env: Env, options: ApprovalHandlerOptions = {}) {
  return lambdaHandler(
    {
      sections: REVIEW_SECTIONS,
      parse: parseApproval,
      build: (config, logger) => ({
        deps: buildReviewDeps(config, logger, options),
        token: options.token ?? sfnTaskToken(createSfnClient(config.aws)),
      }),
      run: async (input, { deps, logger }) => {
        const by = 'the approval function (AWS console)';
        const review = { ...deps.deps, logger };
        const sent = await sendDecision(
          {
            get: (id) => review.reviews.get(id),
            token: deps.token,
            direct: (d) => decideReview(review, input.review, d, by),
            ...(review.now ? { now: review.now } : {}),
          },
          input.review,
          input.decision,
          by,
        );
        const message =
          sent.via === 'state machine'
            ? `review ${input.review}: ${input.decision} sent to its state machine`
            : `review ${input.review}: ${sent.decided.review.status}, ${sent.decided.taskIds.length} tasks ${input.decision === 'approve' ? 'released to the worker' : 'cancelled'}`;
        logger.info({ review: input.review, decision: input.decision, via: sent.via }, message);
        return { review: input.review, decision: input.decision, via: sent.via, message };
      },
    },
    env,
    options,
  );
}

/** The Lambda entry point (`index.handler`). */
export const handler = createApprovalHandler(process.env);
