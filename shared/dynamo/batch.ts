import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, backoffDelayMs, sleep as realSleep } from '../retry.js';

type Item = Record<string, unknown>;

/** Retries of UnprocessedItems/UnprocessedKeys (the SDK retries throttled calls itself). */
const UNPROCESSED_POLICY: BackoffPolicy = { baseMs: 50, capMs: 5_000, maxAttempts: 10 };

export interface BatchWriterOptions {
  /** BatchWriteItem calls in flight at once; `put` waits when they are all busy. */
  readonly maxInFlight?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Buffers puts into BatchWriteItem calls of 25 and keeps a few in flight, so writing overlaps
 * with whatever produces the items. UnprocessedItems are retried with capped, jittered backoff.
 */
export class BatchWriter {
  private buffer: Item[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure?: unknown;
  readonly stats = { items: 0, batches: 0, unprocessedRetries: 0, waitMs: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: BatchWriterOptions = {},
  ) {}

  async put(item: Item): Promise<void> {
    this.buffer.push(item);
    if (this.buffer.length >= 25) await this.dispatch();
  }

  async putAll(items: Iterable<Item>): Promise<void> {
    for (const item of items) await this.put(item);
  }

  /** Writes everything buffered and waits for every call in flight. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0) await this.dispatch();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    if (this.failure) throw this.failure;
    const started = performance.now();
    while (this.inFlight.size >= (this.options.maxInFlight ?? 4)) await Promise.race(this.inFlight);
    this.stats.waitMs += performance.now() - started;
    const batch = this.buffer.splice(0, 25);
    const call = this.write(batch)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  private async write(items: Item[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_POLICY.maxAttempts) {
        throw new RemoteServiceError(
          'DynamoDB',
          `${requests.length} items unprocessed in ${this.table}`,
          {
            retryable: true,
          },
        );
      }
      if (attempt > 1) {
        this.stats.unprocessedRetries++;
        await (this.options.sleep ?? realSleep)(backoffDelayMs(attempt - 1, UNPROCESSED_POLICY));
      }
      const out = await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
      );
      this.stats.batches++;
      const left = out.UnprocessedItems?.[this.table] ?? [];
      this.stats.items += requests.length - left.length;
      requests = left as typeof requests;
    }
  }
}

/** BatchGetItem of any number of keys (100 per call), UnprocessedKeys retried. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Item[] = keys.slice(i, i + 100);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_POLICY.maxAttempts) {
        throw new RemoteServiceError('DynamoDB', `${pending.length} keys unprocessed in ${table}`, {
          retryable: true,
        });
      }
      if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, UNPROCESSED_POLICY));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }),
      );
      found.push(...((out.Responses?.[table] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
    }
  }
  return found;
}
