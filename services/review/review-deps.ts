import type { TaskQueuePort } from '../../shared/aws/sqs-task-messages.js';
import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import type { DynamoReviewStore } from '../../shared/dynamo/review-store.js';
import type { Logger } from '../../shared/logger.js';
import type {
  AuditPages,
  OperatorSummary,
  ReviewRemovals,
  ReviewReports,
  UserNotices,
} from './review-ports.js';

/** What every review step works with: the stores and the ports (services/review/). */
export interface ReviewDeps {
  readonly stores: Pick<
    Stores,
    'snapshots' | 'ledger' | 'identities' | 'events' | 'tasks' | 'audit' | 'doc' | 'names'
  >;
  readonly reviews: DynamoReviewStore;
  readonly activity: Pick<DynamoActivityStore, 'all' | 'coverage' | 'pendingEvents'>;
  /** The removals module's front door: the idle selection and the plan for approval. */
  readonly removals: ReviewRemovals;
  readonly logger: Logger;
  readonly reports: ReviewReports;
  /** The audit's HTML report (services/audit/audit-pages.ts). */
  readonly auditPages: AuditPages;
  readonly operators: OperatorSummary;
  /** When notices to users are configured. */
  readonly notices?: UserNotices;
  /** The worker queue (in AWS); the CLI runs the worker in-process instead. */
  readonly queue?: TaskQueuePort;
  readonly now?: () => Date;
}

export type ReviewConfig = Pick<
  Config,
  'core' | 'aws' | 'plan' | 'quicksight' | 'inactive' | 'activity' | 'report'
>;

/** How the approval input an operator copies from the notice looks. */
export function approvalInput(runId: string, decision: 'approve' | 'reject'): string {
  return JSON.stringify({ review: runId, decision });
}
