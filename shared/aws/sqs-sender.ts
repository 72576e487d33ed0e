import type { AwsConfig, LambdaConfig } from '../config/index.js';
import { ConfigError, RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, withRetry } from '../retry.js';
import { AwsCallError, classifyAwsError } from './aws-errors.js';
import { createSignedFetch, type SignedFetch } from './signed-fetch.js';
import { type TaskMessage, type TaskQueuePort, taskMessageBody } from './sqs-task-messages.js';

/**
 * The worker queue's producer side in AWS: SQS SendMessageBatch (AWS JSON 1.0 protocol, the
 * one the SDK's SQS client speaks), 10 messages a call, over the SigV4-signed fetch. Entries
 * SQS refuses for its own reasons (`SenderFault` false) and throttled or failed calls are
 * retried with capped, jittered backoff; an entry refused as the sender's fault is an error.
 */

const SERVICE = 'SQS';
/** SendMessageBatch's limit. */
export const SQS_BATCH_LIMIT = 10;
const DEFAULT_POLICY: BackoffPolicy = { baseMs: 100, capMs: 5_000, maxAttempts: 5 };

export interface SqsTaskQueueOptions {
  readonly queueUrl: string;
  /** The SQS endpoint; default the queue URL's origin (`https://sqs.<region>.amazonaws.com`). */
  readonly endpoint?: string;
  readonly fetch: SignedFetch;
  readonly retry?: BackoffPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface BatchResult {
  readonly Successful?: ReadonlyArray<{ readonly Id?: string }>;
  readonly Failed?: ReadonlyArray<{
    readonly Id?: string;
    readonly SenderFault?: boolean;
    readonly Code?: string;
    readonly Message?: string;
  }>;
}

/** Some entries were refused for a reason that may pass on a retry. */
class EntriesFailed extends RemoteServiceError {
  constructor(
    readonly ids: ReadonlySet<string>,
    detail: string,
  ) {
    super(SERVICE, `SendMessageBatch: ${ids.size} entries failed (${detail})`, { retryable: true });
  }
}

export function sqsTaskQueue(options: SqsTaskQueueOptions): TaskQueuePort {
  const endpoint = options.endpoint ?? new URL(options.queueUrl).origin;
  const sendBatch = async (entries: ReadonlyArray<{ Id: string; MessageBody: string }>) => {
    let pending = entries;
    await withRetry(
      async () => {
        let answer: BatchResult;
        try {
          const response = await options.fetch({
            method: 'POST',
            url: `${endpoint}/`,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'AmazonSQS.SendMessageBatch',
            },
            body: JSON.stringify({ QueueUrl: options.queueUrl, Entries: pending }),
          });
          answer = JSON.parse(response.body || '{}') as BatchResult;
        } catch (error) {
          throw new AwsCallError(SERVICE, 'SendMessageBatch', error);
        }
        const failed = answer.Failed ?? [];
        const own = failed.find((f) => f.SenderFault);
        if (own) {
          throw new RemoteServiceError(
            SERVICE,
            `SendMessageBatch refused entry ${own.Id}: ${own.Code ?? ''} ${own.Message ?? ''}`.trim(),
          );
        }
        if (failed.length > 0) {
          const ids = new Set(failed.map((f) => String(f.Id)));
          pending = pending.filter((e) => ids.has(e.Id));
          throw new EntriesFailed(ids, failed.map((f) => f.Code).join(', '));
        }
      },
      {
        policy: options.retry ?? DEFAULT_POLICY,
        classify: (error) =>
          error instanceof EntriesFailed
            ? { retryable: true }
            : error instanceof AwsCallError
              ? classifyAwsError(error.cause)
              : { retryable: false },
        ...(options.sleep ? { sleep: options.sleep } : {}),
      },
    );
  };
  return {
    async send(messages: readonly TaskMessage[]) {
      for (let i = 0; i < messages.length; i += SQS_BATCH_LIMIT) {
        const chunk = messages.slice(i, i + SQS_BATCH_LIMIT);
        await sendBatch(chunk.map((m, j) => ({ Id: String(j), MessageBody: taskMessageBody(m) })));
      }
    },
  };
}

/** The queue from configuration: the Lambda's region and credentials (its role). */
export function createSqsTaskQueue(aws: AwsConfig, queueUrl: string): TaskQueuePort {
  return sqsTaskQueue({
    queueUrl,
    fetch: createSignedFetch({
      service: 'sqs',
      region: aws.region,
      ...(aws.credentials ? { credentials: aws.credentials } : {}),
    }),
  });
}

/**
 * The worker queue of a producer Lambda (plan, event handler): `override` when given (tests),
 * else SQS at IDSYNC_WORKER_QUEUE_URL, which the stack sets.
 */
export function workerQueue(
  config: { readonly aws: AwsConfig; readonly lambda: LambdaConfig },
  override?: TaskQueuePort,
): TaskQueuePort {
  if (override) return override;
  const url = config.lambda.workerQueueUrl;
  if (!url)
    throw new ConfigError('IDSYNC_WORKER_QUEUE_URL', 'is required (URL of the worker queue)');
  return createSqsTaskQueue(config.aws, url);
}
