import { UsageError } from '../../shared/errors.js';
import { type ReviewRecord, reviewRunIdProblem } from '../../shared/review.js';
import { decideReview } from './decide-review.js';
import { finishReview, type ReviewProgress, reviewProgress } from './finish-review.js';
import type { ReviewConfig, ReviewDeps } from './review-deps.js';
import { announceReview, checkReview, startReview } from './start-review.js';

/**
 * The steps of the review state machine (infra/constructs/review.ts), one per Task state, each
 * the review module's own function; the Lambda handler (./handler.ts) and the ASL test call this.
 */

export const REVIEW_STEPS = [
  'check',
  'plan',
  'announce',
  'await',
  'release',
  'reject',
  'expire',
  'progress',
  'finish',
] as const;
export type ReviewStep = (typeof REVIEW_STEPS)[number];

export interface ReviewStepInput {
  readonly step: ReviewStep;
  /** The review's run id (the state machine passes its execution name). */
  readonly runId?: string;
  /** `await`: the `.waitForTaskToken` state's token. */
  readonly taskToken?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a step input; anything else is a UsageError. */
export function parseReviewStep(event: unknown): ReviewStepInput {
  if (!isObject(event) || !REVIEW_STEPS.includes(event.step as ReviewStep))
    throw new UsageError(`review step must be one of ${REVIEW_STEPS.join(', ')}`);
  const step = event.step as ReviewStep;
  const runId = typeof event.runId === 'string' ? event.runId : undefined;
  if (step !== 'check' && !runId) throw new UsageError(`review step ${step} needs runId`);
  const problem = runId === undefined ? undefined : reviewRunIdProblem(runId);
  if (problem) throw new UsageError(problem);
  if (step === 'await' && typeof event.taskToken !== 'string')
    throw new UsageError('review step await needs taskToken');
  return {
    step,
    ...(runId ? { runId } : {}),
    ...(typeof event.taskToken === 'string' ? { taskToken: event.taskToken } : {}),
  };
}

export type ReviewStepOutput =
  | { readonly ok: boolean; readonly reason?: string }
  | { readonly runId: string; readonly status: ReviewRecord['status']; readonly tasks?: number }
  | (Omit<ReviewProgress, 'byStatus'> & { readonly byStatus: Record<string, number> });

export async function runReviewStep(
  deps: ReviewDeps,
  config: ReviewConfig,
  input: ReviewStepInput,
  by = 'the review state machine',
): Promise<ReviewStepOutput> {
  const runId = input.runId ?? '';
  const brief = (r: ReviewRecord, tasks?: number) => ({
    runId: r.runId,
    status: r.status,
    ...(tasks === undefined ? {} : { tasks }),
    ...(r.reason ? { reason: r.reason } : {}),
  });
  switch (input.step) {
    case 'check': {
      const check = await checkReview(deps, config, (deps.now ?? (() => new Date()))());
      if (check.ok) return { ok: true };
      await deps.operators.publish(
        'idsync review stopped',
        `The monthly review did not run: ${check.reason}`,
      );
      return { ok: false, reason: check.reason };
    }
    case 'plan': {
      const started = await startReview(deps, config, { runId, apply: true });
      return brief(started.review, started.tasks.length);
    }
    case 'announce':
      return brief(await announceReview(deps, config, runId));
    case 'await': {
      if (!(await deps.reviews.setToken(runId, input.taskToken ?? '')))
        throw new UsageError(`no review ${runId} to wait for`);
      return { runId, status: 'AWAITING' };
    }
    case 'release':
    case 'reject':
    case 'expire': {
      const decision = input.step === 'release' ? 'approve' : input.step;
      const d = await decideReview(deps, runId, decision, by);
      return brief(d.review, d.taskIds.length);
    }
    case 'progress': {
      const { tasks: _tasks, ...p } = await reviewProgress(deps, runId);
      return { ...p, byStatus: { ...p.byStatus } };
    }
    case 'finish': {
      const done = await finishReview(deps, config, runId);
      if (!done) throw new UsageError(`review ${runId} still has tasks queued`);
      return brief(done.review);
    }
  }
}
