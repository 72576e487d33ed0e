import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * AWS guidance for an SQS event source whose function has reserved concurrency: visibility
 * timeout at least 6 × the function timeout, and maxReceiveCount at least 5, so that batches
 * the Lambda poller could not hand over (throttled: reserved concurrency 1) are retried inside
 * the visibility window instead of being counted as failed deliveries and dead-lettered.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface WorkQueueProps {
  /** The consumer function's timeout. @default 5 minutes */
  readonly consumerTimeout?: Duration;
  /** Deliveries before a message goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** How long an unconsumed message is kept. @default 4 days */
  readonly retentionPeriod?: Duration;
}

export interface ConsumerOptions {
  /** Messages per invocation. @default 100 */
  readonly batchSize?: number;
  /** How long the poller gathers a batch. @default 5 seconds */
  readonly maxBatchingWindow?: Duration;
}

/**
 * The queue between the producers (plan, event handler) and the single rate-limited consumer
 * (the worker): SSE with SQS-managed keys, TLS-only access policy, and a dead-letter queue
 * (kept 14 days) after `maxReceiveCount` deliveries.
 *
 * Lease consistency: the worker claims each task row with a short lease that its heartbeat
 * renews while the invocation runs (so the lease need not outlast the invocation). The lease
 * must be at most the function timeout: an invocation that timed out or crashed frees its
 * tasks within one timeout, long before its messages are delivered again (visibility timeout =
 * 6 × the function timeout), so the redelivered message finds the lease expired.
 * `leaseBounds` gives that bound.
 */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly consumerTimeout: Duration;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: WorkQueueProps = {}) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout ?? Duration.minutes(5);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      visibilityTimeout: Duration.seconds(
        this.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR,
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }

  /**
   * The worker's lease bound in seconds: at most the function timeout, which is itself a sixth
   * of the visibility timeout (`visibilitySeconds`).
   */
  get leaseBounds(): { readonly maxSeconds: number; readonly visibilitySeconds: number } {
    return {
      maxSeconds: this.consumerTimeout.toSeconds(),
      visibilitySeconds: this.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR,
    };
  }

  /**
   * Makes `fn` the consumer. Partial batch responses (`reportBatchItemFailures`): a poison message
   * is retried (then dead-lettered) alone, never with its whole batch. `maxConcurrency` 2 is the
   * lowest the event source allows; the function's reserved concurrency 1 is what makes the
   * worker single.
   */
  attachConsumer(fn: lambda.Function, options: ConsumerOptions = {}): void {
    if (fn.timeout && fn.timeout.toSeconds() > this.consumerTimeout.toSeconds()) {
      throw new Error(
        `consumer timeout ${fn.timeout.toSeconds()} s exceeds the queue's consumerTimeout ${this.consumerTimeout.toSeconds()} s`,
      );
    }
    const batchSize = options.batchSize ?? 100;
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        ...(batchSize > 10 || options.maxBatchingWindow
          ? { maxBatchingWindow: options.maxBatchingWindow ?? Duration.seconds(5) }
          : {}),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
  }
}
