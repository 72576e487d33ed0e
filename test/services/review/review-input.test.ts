import { describe, expect, it } from 'vitest';
import { parseApproval } from '../../../services/review/approval-handler.js';
import { approvalInput } from '../../../services/review/review-deps.js';
import { parseReviewStep, REVIEW_STEPS } from '../../../services/review/review-steps.js';
import { UsageError } from '../../../shared/errors.js';

/** What the review's Lambda functions accept: the state machine's step inputs, the console's approval input. */
describe('review inputs', () => {
  it('takes the approval input the notice prints, and nothing else', () => {
    expect(parseApproval(JSON.parse(approvalInput('20261207T131455Z-7e32', 'approve')))).toEqual({
      review: '20261207T131455Z-7e32',
      decision: 'approve',
    });
    expect(parseApproval({ review: ' r-1 ', decision: 'reject' })).toEqual({
      review: 'r-1',
      decision: 'reject',
    });
    for (const bad of [
      undefined,
      {},
      { review: 'r-1' },
      { review: '', decision: 'approve' },
      { review: 'r-1', decision: 'Approve' },
      { review: 'r-1', decision: 'expire' },
      { review: 7, decision: 'approve' },
    ])
      expect(() => parseApproval(bad)).toThrow(UsageError);
  });

  it('takes each step with its run id (and the token for the wait), and refuses the rest', () => {
    expect(parseReviewStep({ step: 'check' })).toEqual({ step: 'check' });
    expect(parseReviewStep({ step: 'await', runId: 'r-1', taskToken: 'tok' })).toEqual({
      step: 'await',
      runId: 'r-1',
      taskToken: 'tok',
    });
    for (const step of REVIEW_STEPS.filter((s) => s !== 'check' && s !== 'await'))
      expect(parseReviewStep({ step, runId: 'r-1' })).toEqual({ step, runId: 'r-1' });
    for (const bad of [
      {},
      { step: 'delete', runId: 'r-1' },
      { step: 'plan' },
      { step: 'await', runId: 'r-1' },
      { step: 'release', runId: 'a/b' },
      { step: 'release', runId: 'x'.repeat(81) },
    ])
      expect(() => parseReviewStep(bad)).toThrow(UsageError);
  });
});
