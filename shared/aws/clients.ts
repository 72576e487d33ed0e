import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig, AwsCredentials, QuickSightConfig } from '../config/index.js';

/**
 * Builders of the AWS SDK clients, from configuration. Only the CLI, the Lambda handlers and the
 * tests call them; every job receives ports built on the clients.
 */

export interface ClientOverrides {
  /** Static credentials (the sandbox accepts any); default: config's, else the SDK's provider chain. */
  readonly credentials?: AwsCredentials;
}

function common(aws: AwsConfig, overrides: ClientOverrides) {
  const credentials = overrides.credentials ?? aws.credentials;
  // A copy: the SDK annotates the credentials object, and config objects are frozen.
  return credentials ? { credentials: { ...credentials } } : {};
}

export function createDynamoClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
): DynamoDBClient {
  return new DynamoDBClient({
    region: aws.region,
    ...(aws.endpoints.dynamodb ? { endpoint: aws.endpoints.dynamodb } : {}),
    ...common(aws, overrides),
  });
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * IdentityStore client. The SDK's own retries are off (maxAttempts 1): idsync retries listing
 * calls at one layer, with capped, jittered backoff (shared/retry).
 */
export function createIdentityStoreClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
): IdentitystoreClient {
  return new IdentitystoreClient({
    region: aws.region,
    maxAttempts: 1,
    ...(aws.endpoints.identitystore ? { endpoint: aws.endpoints.identitystore } : {}),
    ...common(aws, overrides),
  });
}

/** QuickSight client in the QuickSight identity region, SDK retries off (idsync paces and retries). */
export function createQuickSightClient(
  aws: AwsConfig,
  quicksight: QuickSightConfig,
  overrides: ClientOverrides = {},
): QuickSightClient {
  return new QuickSightClient({
    region: quicksight.region,
    maxAttempts: 1,
    ...(aws.endpoints.quicksight ? { endpoint: aws.endpoints.quicksight } : {}),
    ...common(aws, overrides),
  });
}

/**
 * CloudTrail client (LookupEvents for `idsync activity sync`), SDK retries off: the sync paces
 * itself to LookupEvents' 2 calls a second and retries at one layer.
 */
export function createCloudTrailClient(
  aws: AwsConfig,
  overrides: ClientOverrides = {},
): CloudTrailClient {
  return new CloudTrailClient({
    region: aws.region,
    maxAttempts: 1,
    ...(aws.endpoints.cloudtrail ? { endpoint: aws.endpoints.cloudtrail } : {}),
    ...common(aws, overrides),
  });
}
