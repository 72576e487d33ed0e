import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AwsConfig,
  AwsCredentials,
  ClientTimeouts,
  QuickSightConfig,
} from '../config/index.js';
import { serviceCredentials } from './service-credentials.js';

/**
 * Builders of the AWS SDK clients, from configuration. Only the CLI, the Lambda handlers and the
 * tests call them; every job receives ports built on the clients.
 */

export interface ClientOverrides {
  /** Static credentials (the sandbox accepts any); default: config's, else the SDK's provider chain. */
  readonly credentials?: AwsCredentials;
  /**
   * A role of this client's own instead of the service's configured one (a QuickSight account's
   * of IDSYNC_QUICKSIGHT_ACCOUNTS), assumed the same way (external id, session name, refresh);
   * `variable` is what a refusal names.
   */
  readonly role?: { readonly roleArn: string; readonly variable: string };
}

/** Used when the configuration names none (IDSYNC_CONNECT/REQUEST_TIMEOUT_SECONDS). */
export const DEFAULT_TIMEOUTS: ClientTimeouts = { connectMs: 5_000, requestMs: 30_000 };

/**
 * The `requestHandler` options of an SDK client (the NodeHttpHandler options shape): a
 * connection that does not open within `connectMs`, or a call that is not answered within
 * `requestMs`, fails with a `TimeoutError` (code ETIMEDOUT), which shared/aws/aws-errors.ts
 * classifies as retryable; the retrying layer decides whether to try again. Every
 * `create*Client` applies it; a client built elsewhere (e.g. CloudTrail) passes
 * `requestHandler: requestHandlerOptions(config.aws)` to its constructor.
 */
export function requestHandlerOptions(aws: Pick<AwsConfig, 'timeouts'>) {
  const t = aws.timeouts ?? DEFAULT_TIMEOUTS;
  return {
    connectionTimeout: t.connectMs,
    requestTimeout: t.requestMs,
    // Without it the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
  };
}

/**
 * The options every client shares: its endpoint (sandbox), timeouts, region and credentials
 * (its own role's when one is configured). A client factory added later calls it too.
 */
function common(
  aws: AwsConfig,
  overrides: ClientOverrides,
  service: keyof AwsConfig['endpoints'],
  region = aws.region,
) {
  const endpoint = aws.endpoints[service];
  const requestHandler = requestHandlerOptions(aws);
  // The service's own role when one is configured (shared/aws/service-credentials.ts).
  const credentials = serviceCredentials(
    aws,
    service,
    overrides.credentials ?? aws.credentials,
    requestHandler,
    overrides.role,
  );
  return {
    ...(endpoint ? { endpoint } : {}),
    requestHandler,
    // No region configured: the SDK resolves it (the profile's), as the AWS CLI does.
    ...(region ? { region } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** A client whose calls idsync retries itself: the SDK's own retries off (maxAttempts 1). */
function retriedByIdsync(...args: Parameters<typeof common>) {
  return { maxAttempts: 1, ...common(...args) };
}

/**
 * DynamoDB client. Its retries stay the SDK's (standard mode, 3 attempts): idsync does not retry
 * DynamoDB calls itself, so the SDK is the one layer that does (a stalled call is cut at the
 * request timeout, then retried there).
 */
export function createDynamoClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
): DynamoDBClient {
  return new DynamoDBClient(common(aws, overrides, 'dynamodb'));
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * IdentityStore client in the IdC region (`region`: IDSYNC_IDC_REGION, default the configured
 * one). The SDK's own retries are off (maxAttempts 1): idsync retries listing calls at one layer,
 * with capped, jittered backoff (shared/retry).
 */
export function createIdentityStoreClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
  region: string | undefined = aws.region,
): IdentitystoreClient {
  return new IdentitystoreClient(retriedByIdsync(aws, overrides, 'identitystore', region));
}

/** QuickSight client in the QuickSight identity region, SDK retries off (idsync paces and retries). */
export function createQuickSightClient(
  aws: AwsConfig,
  quicksight: Pick<QuickSightConfig, 'region'>,
  overrides: ClientOverrides = {},
): QuickSightClient {
  return new QuickSightClient(
    retriedByIdsync(aws, overrides, 'quicksight', quicksight.region ?? aws.region),
  );
}

/** SQS client (the worker queue's producers), SDK retries off (shared/aws/sqs-task-queue.ts retries). */
export function createSqsClient(aws: AwsConfig, overrides: ClientOverrides = {}): SQSClient {
  return new SQSClient(retriedByIdsync(aws, overrides, 'sqs'));
}

/** Step Functions client: the monthly review's approval (SendTaskSuccess / SendTaskFailure). */
export function createSfnClient(aws: AwsConfig, overrides: ClientOverrides = {}): SFNClient {
  return new SFNClient(common(aws, overrides, 'sfn'));
}

/**
 * CloudTrail client (LookupEvents for `idsync activity sync`) in `region` (default the
 * configured one; CloudTrail's event history is per region, so the sync builds one client per
 * region it reads), SDK retries off: the sync paces itself to LookupEvents' 2 calls a second
 * and retries at one layer.
 */
export function createCloudTrailClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
  region: string | undefined = aws.region,
): CloudTrailClient {
  return new CloudTrailClient(retriedByIdsync(aws, overrides, 'cloudtrail', region));
}

/**
 * SES v2 client (notices to idle users, services/notices/), SDK retries off: a SendEmail retried
 * after an unanswered call could send twice (SES has no idempotency key), so the notice sender
 * decides itself what an error means.
 */
export function createSesClient(aws: AwsConfig, overrides: ClientOverrides = {}): SESv2Client {
  return new SESv2Client(retriedByIdsync(aws, overrides, 'sesv2'));
}

/** SNS client (the operator topic), SDK retries on: a run summary is one call, sent once. */
export function createSnsClient(aws: AwsConfig, overrides: ClientOverrides = {}): SNSClient {
  return new SNSClient(common(aws, overrides, 'sns'));
}

/**
 * S3 client (the reports bucket), SDK retries on. Path-style requests when an endpoint is set
 * (the sandbox's stand-in serves `/<bucket>/<key>`); checksums only where S3 requires them.
 */
export function createS3Client(aws: AwsConfig, overrides: ClientOverrides = {}): S3Client {
  return new S3Client({
    ...common(aws, overrides, 's3'),
    ...(aws.endpoints.s3 ? { forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
