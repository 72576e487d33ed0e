import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, backoffDelayMs, sleep as realSleep } from '../retry.js';

export type Item = Record<string, unknown>;

/** Retries of UnprocessedItems/UnprocessedKeys (the SDK retries throttled calls itself). */
const UNPROCESSED_POLICY: BackoffPolicy = { baseMs: 50, capMs: 5_000, maxAttempts: 10 };

/** BatchWriteItem calls (or other writes) in flight at once by default. */
export const DEFAULT_IN_FLIGHT = 4;

export interface BatchWriterOptions {
  /** BatchWriteItem calls in flight at once; `put` waits when they are all busy. */
  readonly maxInFlight?: number;
  /**
   * The item's key, when the same item may be put twice: a put replaces a buffered put of the
   * same key (a BatchWriteItem call must not hold one key twice).
   */
  readonly keyOf?: (item: Item) => string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Buffers puts into BatchWriteItem calls of 25 and keeps a few in flight, so writing overlaps
 * with whatever produces the items; `put` waits only when every call is busy (backpressure, so
 * memory stays bounded). UnprocessedItems are retried with capped, jittered backoff.
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
    const keyOf = this.options.keyOf;
    const same = keyOf ? this.buffer.findIndex((b) => keyOf(b) === keyOf(item)) : -1;
    if (same >= 0) this.buffer[same] = item;
    else this.buffer.push(item);
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

  /** Waits for the calls in flight without sending the rest (after a failure). */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async dispatch(): Promise<void> {
    if (this.failure) throw this.failure;
    const started = performance.now();
    const limit = this.options.maxInFlight ?? DEFAULT_IN_FLIGHT;
    while (this.inFlight.size >= limit) await Promise.race(this.inFlight);
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
          { retryable: true },
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

/** BatchGetItem of any number of keys (100 per call, a few calls in flight), UnprocessedKeys retried. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  options: {
    readonly consistentRead?: boolean;
    readonly sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<Item[]> {
  const sleep = options.sleep ?? realSleep;
  const consistent = options.consistentRead ? { ConsistentRead: true } : {};
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const found: Item[] = [];
  await forEachConcurrently(chunks, DEFAULT_IN_FLIGHT, async (chunk) => {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_POLICY.maxAttempts) {
        throw new RemoteServiceError('DynamoDB', `${pending.length} keys unprocessed in ${table}`, {
          retryable: true,
        });
      }
      if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, UNPROCESSED_POLICY));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...consistent } } }),
      );
      found.push(...((out.Responses?.[table] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
    }
  });
  return found;
}

interface ItemPage {
  readonly Items?: Item[] | undefined;
  readonly LastEvaluatedKey?: Item | undefined;
}

async function* pagesFrom(fetch: (startKey: Item | undefined) => Promise<ItemPage>) {
  let startKey: Item | undefined;
  do {
    const page = await fetch(startKey);
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every page of a Query, one array of items per page (items read as `T`). */
export function queryPages<T = Item>(doc: DynamoDBDocumentClient, input: QueryCommandInput) {
  return pagesFrom((ExclusiveStartKey) =>
    doc.send(new QueryCommand({ ...input, ExclusiveStartKey })),
  ) as AsyncIterable<T[]>;
}

/**
 * The `Limit` of a Scan's next page, from the page just read and the limit it was read with
 * (see `scanPages`).
 */
export type NextScanLimit = (page: readonly Item[], limit: number) => number;

/**
 * Every page of a Scan, one array of items per page. With `nextLimit`, each page after the first
 * is read with the limit it returns for the page before (e.g. sized to the items just seen).
 */
export function scanPages(
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
  nextLimit?: NextScanLimit,
) {
  let limit = input.Limit;
  return pagesFrom(async (ExclusiveStartKey) => {
    const page = await doc.send(
      new ScanCommand({ ...input, ...(limit ? { Limit: limit } : {}), ExclusiveStartKey }),
    );
    if (nextLimit && limit) limit = nextLimit(page.Items ?? [], limit);
    return page;
  }) as AsyncIterable<Item[]>;
}

/**
 * The pages of a parallel Scan in `segments` segments, as they arrive: each segment reads one
 * page ahead, so at most `segments` pages are held at once.
 */
export async function* scanPagesInSegments(
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
  segments: number,
  nextLimit?: NextScanLimit,
): AsyncIterable<Item[]> {
  if (segments <= 1) {
    yield* scanPages(doc, input, nextLimit);
    return;
  }
  const iterators = Array.from({ length: segments }, (_, Segment) =>
    scanPages(doc, { ...input, Segment, TotalSegments: segments }, nextLimit)[
      Symbol.asyncIterator
    ](),
  );
  const next = (i: number) =>
    (iterators[i] as AsyncIterator<Item[]>).next().then((result) => ({ i, result }));
  const pending = new Map(iterators.map((_, i) => [i, next(i)]));
  while (pending.size > 0) {
    const { i, result } = await Promise.race(pending.values());
    if (result.done) {
      pending.delete(i);
      continue;
    }
    pending.set(i, next(i));
    yield result.value;
  }
}

/** Runs a conditional write: true when written, false when its condition did not hold. */
export async function writeIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * A parallel Scan: `segments` segments read concurrently, `onPage` called with every page (from
 * whichever segment it came). Resolves when every segment is read.
 */
export async function scanInSegments(
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
  segments: number,
  onPage: (items: Item[]) => void,
): Promise<void> {
  const segmentIds = Array.from({ length: segments }, (_, i) => i);
  await forEachConcurrently(segmentIds, segments, async (Segment) => {
    const pages = scanPages(doc, {
      ...input,
      ...(segments > 1 ? { Segment, TotalSegments: segments } : {}),
    });
    for await (const page of pages) onPage(page);
  });
}

/**
 * Runs `fn` on every item with at most `limit` calls in flight; the first failure stops new
 * calls and is thrown once the calls in flight have settled.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (failure) break;
    const call: Promise<void> = fn(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}
