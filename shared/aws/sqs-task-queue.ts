import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LambdaConfig } from '../config/index.js';
import { ConfigError, RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, withRetry } from '../retry.js';
import { AwsCallError, classifyAwsError } from './aws-errors.js';
import { type TaskMessage, type TaskQueuePort, taskMessageBody } from './sqs-task-messages.js';

/**
 * The worker queue's producer side in AWS: SendMessageBatch through `@aws-sdk/client-sqs`, 10
 * messages a call (the SDK client runs with maxAttempts 1; this is the one retrying layer).
 * Entries SQS refuses for its own reasons (`SenderFault` false) and throttled or failed calls are
 * retried with capped, jittered backoff; an entry refused as the sender's fault is an error.
 */

const SERVICE = 'SQS';
/** SendMessageBatch's limit. */
export const SQS_BATCH_LIMIT = 10;
const DEFAULT_POLICY: BackoffPolicy = { baseMs: 100, capMs: 5_000, maxAttempts: 5 };

export interface SqsTaskQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly retry?: BackoffPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
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
  const sendBatch = async (entries: ReadonlyArray<{ Id: string; MessageBody: string }>) => {
    let pending = entries;
    await withRetry(
      async () => {
        let answer: SendMessageBatchCommandOutput;
        try {
          answer = await options.client.send(
            new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: [...pending] }),
          );
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

/**
 * The worker queue of a producer Lambda (plan, event handler): `override` when given (tests),
 * else SQS at IDSYNC_WORKER_QUEUE_URL (which the stack sets) through `client()`, built only then.
 */
export function workerQueue(
  lambda: LambdaConfig,
  client: () => SQSClient,
  override?: TaskQueuePort,
): TaskQueuePort {
  if (override) return override;
  const url = lambda.workerQueueUrl;
  if (!url)
    throw new ConfigError('IDSYNC_WORKER_QUEUE_URL', 'is required (URL of the worker queue)');
  return sqsTaskQueue({ client: client(), queueUrl: url });
}
