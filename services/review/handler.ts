import { createSqsClient } from '../../shared/aws/clients.js';
import type { TaskQueuePort } from '../../shared/aws/sqs-task-messages.js';
import { workerQueue } from '../../shared/aws/sqs-task-queue.js';
import { buildStores } from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoReviewStore } from '../../shared/dynamo/review-store.js';
import { type LambdaOptions, lambdaHandler } from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import { auditPages } from '../audit/audit-pages.js';
import { reportAccountsOf } from '../audit/report-accounts.js';
import { ruleNotices } from '../notices/rule-notices.js';
import { composeRemovals } from '../removals/compose-removals.js';
import type { ReviewDeps } from './review-deps.js';
import {
  auditedReports,
  type OperatorSummary,
  type ReviewReports,
  summaryText,
  type UserNotices,
} from './review-ports.js';
import { parseReviewStep, runReviewStep } from './review-steps.js';
import { reviewPorts } from './review-wiring.js';

/**
 * The review Lambda: wiring only. Each Task state of the review state machine
 * (infra/constructs/review.ts) invokes it with `{"step": …, "runId": …}` (review-steps.ts).
 */

export const REVIEW_SECTIONS = [
  'plan',
  'quicksight',
  'inactive',
  'activity',
  'report',
  'lambda',
  'notice',
] as const;
type Config = ConfigFor<(typeof REVIEW_SECTIONS)[number]>;

export interface ReviewHandlerOptions extends LambdaOptions {
  /** Where released tasks go; default SQS at IDSYNC_WORKER_QUEUE_URL. Tests pass memory. */
  readonly queue?: TaskQueuePort;
  readonly reports?: ReviewReports;
  readonly operators?: OperatorSummary;
  readonly notices?: UserNotices;
  readonly now?: () => Date;
}

/** The review's stores and ports in a Lambda container (the approval function's too). */
export function buildReviewDeps(
  config: Config,
  logger: Logger,
  options: ReviewHandlerOptions,
): ReviewDeps {
  const stores = buildStores(config);
  // The ports live as long as the container (no close): one set of clients per cold start.
  const notices = options.notices ?? (config.notice.from ? ruleNotices(config, stores) : undefined);
  const ports = reviewPorts(config, logger, {
    localReports: auditedReports(),
    log: (s) => logger.warn({ kind: s.kind, runId: s.runId, text: summaryText(s) }, s.headline),
  });
  return {
    stores,
    reviews: new DynamoReviewStore(stores.doc, stores.names.reviews),
    activity: new DynamoActivityStore(stores.doc, stores.names.activity),
    // The review plans and never deletes: the worker function applies what is approved.
    removals: composeRemovals(config, { stores, logger }, { dryRun: false }),
    logger,
    reports: options.reports ?? ports.reports,
    auditPages: auditPages(stores, reportAccountsOf(config.quicksight)),
    operators: options.operators ?? ports.operators,
    ...(notices ? { notices } : {}),
    queue: workerQueue(config.lambda, () => createSqsClient(config.aws), options.queue),
    ...(options.now ? { now: options.now } : {}),
  };
}

export function createReviewHandler(env: Env, options: ReviewHandlerOptions = {}) {
  return lambdaHandler(
    {
      sections: REVIEW_SECTIONS,
      parse: parseReviewStep,
      build: (config, logger) => ({ config, deps: buildReviewDeps(config, logger, options) }),
      run: (input, { deps, logger }) => runReviewStep({ ...deps.deps, logger }, deps.config, input),
    },
    env,
    options,
  );
}

/** The Lambda entry point (`index.handler`). */
export const handler = createReviewHandler(process.env);
