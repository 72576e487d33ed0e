/**
 * Names of the Lambda-only environment variables the stack sets. The config module (section
 * `lambda` of shared/config/variables.ts) reads them; the stack uses these constants so the two
 * cannot drift. No CDK import, so handler bundles may use it.
 */
export const LAMBDA_ENV = {
  /** `true` on the worker only when the stack is deployed with `-c apply=true`; else dry run. */
  apply: 'IDSYNC_APPLY',
  /** URL of the worker's SQS queue, for the plan and event handler functions. */
  workerQueueUrl: 'IDSYNC_WORKER_QUEUE_URL',
  /** ARN of the Secrets Manager secret holding the Google service-account JSON key (snapshot). */
  googleKeySecret: 'IDSYNC_GOOGLE_CREDENTIALS_SECRET',
  /** ARN of the SNS operator topic the runs publish their summaries to (plan function). */
  operatorTopicArn: 'IDSYNC_OPERATOR_TOPIC_ARN',
  /** Name of the S3 bucket the runs write their reports to (plan function; the CLI reads it). */
  reportsBucket: 'IDSYNC_REPORTS_BUCKET',
} as const;

/** Where the snapshot function writes the Google key (mode 0600) for IDSYNC_GOOGLE_CREDENTIALS. */
export const LAMBDA_GOOGLE_KEY_PATH = '/tmp/idsync-google-key.json';

/** Port of the AWS Parameters and Secrets Lambda Extension on the snapshot function. */
export const SECRETS_EXTENSION_PORT = 2773;
