import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/aws/clients.js';
import { readServiceFailure, type ServiceEndpoint } from '../../shared/aws/service-failure.js';
import { type Env, loadConfig } from '../../shared/config/index.js';
import {
  ExitCode,
  IdsyncError,
  MissingTableError,
  RemoteServiceError,
  ServiceUnreachableError,
} from '../../shared/errors.js';
import { tableNames } from '../../shared/tables.js';

/**
 * Turns a failure that ended a command into what an operator can act on: an unreachable
 * service named with its URL, a wrong endpoint, missing tables (which ones, and how to create
 * them). Anything else is returned unchanged.
 *
 * A service that could not be reached ends the command with exit 5 (ServiceUnreachableError),
 * but only when the error would otherwise be "unexpected" (exit 1): an error that already has its
 * own exit code (a PARTIAL snapshot, items failed after retries) keeps it.
 */
export async function explainError(error: unknown, env: Env): Promise<unknown> {
  if (error instanceof IdsyncError && error.exitCode !== ExitCode.Unexpected) return error;
  const endpoints = configuredEndpoints(env);
  if (endpoints.length === 0) return error;
  const failure = readServiceFailure(error, endpoints);
  if (!failure) return error;
  if (failure.kind === 'unreachable')
    return new ServiceUnreachableError(failure.service, failure.url, failure.reason, {
      cause: error,
      ...(failure.detail ? { detail: failure.detail } : {}),
      ...(failure.said ? { said: failure.said } : {}),
    });
  if (failure.kind === 'not_aws')
    return new RemoteServiceError(
      failure.service,
      `the endpoint ${failure.url} answered HTTP ${failure.status} with something that is not a ${failure.service} answer; check its endpoint variable`,
      { cause: error },
    );
  return new MissingTableError(await missingTables(env), { cause: error });
}

/** The services of the configuration and their URLs (the SDK's default when not overridden). */
function configuredEndpoints(env: Env): ServiceEndpoint[] {
  let aws: ReturnType<typeof loadConfig>['aws'];
  try {
    aws = loadConfig([], env).aws;
  } catch {
    return [];
  }
  const aws_ = (id: string) => `https://${id}.${aws.region}.amazonaws.com`;
  const list: ServiceEndpoint[] = [
    { service: 'DynamoDB', url: aws.endpoints.dynamodb ?? aws_('dynamodb') },
    { service: 'QuickSight', url: aws.endpoints.quicksight ?? aws_('quicksight') },
    { service: 'IdentityStore', url: aws.endpoints.identitystore ?? aws_('identitystore') },
    { service: 'CloudTrail', url: aws.endpoints.cloudtrail ?? aws_('cloudtrail') },
    { service: 'SQS', url: aws.endpoints.sqs ?? aws_('sqs') },
  ];
  try {
    list.push({ service: 'Google Directory', url: loadConfig(['google'], env).google.rootUrl });
  } catch {
    // Google is not configured: no command that needs it ran.
  }
  return list;
}

/** The idsync tables DynamoDB does not list (empty when that cannot be told). */
async function missingTables(env: Env): Promise<string[]> {
  try {
    const config = loadConfig([], env);
    const client = createDynamoClient({
      ...config.aws,
      timeouts: { connectMs: 2_000, requestMs: 5_000 },
    });
    try {
      const present = new Set<string>();
      let start: string | undefined;
      do {
        const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
        for (const name of page.TableNames ?? []) present.add(name);
        start = page.LastEvaluatedTableName;
      } while (start);
      return Object.values(tableNames(config.core.tablePrefix)).filter((t) => !present.has(t));
    } finally {
      client.destroy();
    }
  } catch (error) {
    if (error instanceof IdsyncError) throw error;
    return [];
  }
}
