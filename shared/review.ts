import { DAY_MS } from './idle-rule.js';

/**
 * The monthly idle review (services/review/): its record and the pure rules on it. A review puts
 * the idle users (and the leavers the guard window still holds) up for approval as tasks
 * AWAITING_APPROVAL (shared/task.ts); nothing of it is deleted before an operator approves it.
 *
 *   PLANNING ──planned──► AWAITING ──approve (before the deadline)──► APPROVED ──settled──► DONE
 *      │                     ├──reject──► REJECTED            (its tasks cancelled)
 *      │                     └──expire (at the deadline)──► EXPIRED (its tasks cancelled)
 *      └──activity record or snapshot not good enough──► STOPPED  (nothing planned)
 *   A review with nothing to approve goes from PLANNING to DONE.
 */

export const REVIEW_STATUSES = [
  'PLANNING',
  'AWAITING',
  'APPROVED',
  'REJECTED',
  'EXPIRED',
  'DONE',
  'STOPPED',
] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** The error a rejection sends to the state machine's approval wait; its Catch reads it. */
export const REJECTED_ERROR = 'ReviewRejected';

export type ReviewDecision = 'approve' | 'reject' | 'expire';

export interface ReviewCounts {
  /** Idle users put up for approval. */
  readonly idle: number;
  /** Leavers the guard window held (BLOCKED), put up for approval. */
  readonly leavers: number;
  /** Readers among them: what the money counts. */
  readonly readers: number;
}

export interface ReviewRecord {
  readonly runId: string;
  readonly status: ReviewStatus;
  readonly createdAt: string;
  /** ISO time after which the review can only expire (IDSYNC_REVIEW_APPROVAL_DAYS). */
  readonly deadline: string;
  /** The N days of the idle rule. */
  readonly days: number;
  readonly counts?: ReviewCounts;
  /** USD a month the approved deletions save. */
  readonly monthlySavings?: number;
  /** Why the review stopped (STOPPED). */
  readonly reason?: string;
  /** The Step Functions task token of the approval wait, once the state machine handed it over. */
  readonly taskToken?: string;
  readonly report?: string;
  readonly finalReport?: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly finishedAt?: string;
  /** Final task states of an approved review: deleted, already gone, cancelled, failed, blocked. */
  readonly outcome?: string;
}

/**
 * A review run id as it enters (CLI argument, approval input, step input): what a Step Functions
 * execution name may be (1 to 80 of letters, digits, `-`, `_`), which idsync's run ids are too.
 */
export const REVIEW_RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The run id, or why it is not one. */
export function reviewRunIdProblem(runId: string): string | undefined {
  return REVIEW_RUN_ID.test(runId)
    ? undefined
    : `${JSON.stringify(runId.length > 40 ? `${runId.slice(0, 40)}…` : runId)} is not a review run id (1 to 80 letters, digits, - or _; idsync review list shows them)`;
}

/** The status a decision leads to. */
export const DECIDED: Readonly<Record<ReviewDecision, ReviewStatus>> = {
  approve: 'APPROVED',
  reject: 'REJECTED',
  expire: 'EXPIRED',
};

/** When a review started at `createdAt` expires. */
export function reviewDeadline(createdAt: Date, approvalDays: number): Date {
  return new Date(createdAt.getTime() + approvalDays * DAY_MS);
}

/** A Reader seat (what the money counts): READER or READER_PRO. */
export function isReaderRole(role: string): boolean {
  return role.toUpperCase().startsWith('READER');
}

/**
 * Whether `decision` may be made on `review` now: undefined when it may (or was made already:
 * a rerun goes on with it), else why not. Approval and rejection end at the deadline; expiry
 * begins there. A review decided otherwise stays as it is.
 */
export function decisionRefusal(
  review: Pick<ReviewRecord, 'status' | 'deadline' | 'runId'>,
  decision: ReviewDecision,
  now: Date,
): string | undefined {
  if (review.status === DECIDED[decision]) return undefined;
  if (review.status !== 'AWAITING')
    return `review ${review.runId} is ${review.status}, not AWAITING: it cannot be ${pastTense(decision)}`;
  const past = now.getTime() >= Date.parse(review.deadline);
  if (decision === 'expire' && !past)
    return `review ${review.runId} is open until ${review.deadline}: it expires only then`;
  if (decision !== 'expire' && past)
    return `review ${review.runId} passed its deadline ${review.deadline}: it can only expire (nothing is deleted)`;
  return undefined;
}

export function pastTense(decision: ReviewDecision): string {
  return decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'expired';
}
