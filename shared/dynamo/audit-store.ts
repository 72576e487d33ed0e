import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { normalizeEmail } from '../email.js';
import { IdsyncError, UsageError } from '../errors.js';
import { BatchWriter, queryPages } from './batch.js';

/**
 * The audit log (table `audit`): an append-only record of every decision and outcome. `append`
 * and `appendOnce` put conditionally on `attribute_not_exists(runId)`, so nothing is ever
 * overwritten; `appendBatched` writes the many rows of one run (a plan's decisions, a CSV's
 * refused rows) with BatchWriteItem under keys no other row can hold (see there). The readers
 * each use the table key or one of its indexes (byEmail, byUserId, byDay), never a scan.
 */

export type AuditKind =
  | 'decision'
  | 'outcome'
  | 'event'
  | 'snapshot'
  | 'input_error'
  /** `idsync inactive --warn-days`: a user who turns idle soon (services/cli/format-inactive.ts). */
  | 'idle_soon'
  /** A step of the monthly review (services/review/): planned, decided, finished. */
  | 'review'
  /** A notice to an idle user sent, refused, unanswered or closed (services/notices/notice-audit.ts). */
  | 'notice'
  /** An asset handed to a successor before its owner's deletion or downgrade (services/removals/handover/). */
  | 'handover';

export interface AuditRecord {
  readonly runId: string;
  /** ISO time of the fact recorded. */
  readonly at: string;
  readonly kind: AuditKind;
  readonly email?: string;
  readonly userId?: string;
  readonly userName?: string;
  readonly role?: string;
  /** A row about one QuickSight user: the key of its account and namespace (`QuickSightScope.key`); absent: the home account's configured namespace. */
  readonly scope?: string;
  readonly source?: string;
  readonly decision?: string;
  readonly reason?: string;
  readonly outcome?: string;
  readonly attempts?: number;
  readonly detail?: Record<string, unknown>;
}

/** A record as stored: its sort key and day partition added. */
export interface StoredAuditRecord extends AuditRecord {
  /** `<at>#<seq>#<random>`, unique within the run. */
  readonly sk: string;
  /** `YYYY-MM-DD` of `at` (UTC): the byDay partition. */
  readonly day: string;
}

/** An append found its key taken: the audit never overwrites a row. */
export class AuditRecordExistsError extends IdsyncError {
  override readonly name = 'AuditRecordExistsError';
  constructor(
    readonly runId: string,
    readonly sk: string,
  ) {
    super(`audit record ${runId} ${sk} exists; audit rows are never overwritten`);
  }
}

export interface AuditLogOptions {
  /** Puts in flight at once during an append: 16. */
  readonly parallelPuts?: number;
  /** BatchWriteItem calls (25 rows each) in flight at once during `appendBatched`: 8. */
  readonly parallelBatches?: number;
  /** Waits between retries of unprocessed items (tests make it instant). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random part of the sort key (4 hex digits by default); tests fix it to force a collision. */
  readonly random?: () => string;
  /** Today, for `since()`; default the system clock. */
  readonly now?: () => Date;
}

const SEQ_DIGITS = 6;
/** Rows an audit log numbers before its `<seq>` repeats (SEQ_DIGITS digits). */
const SEQ_SPAN = 10 ** SEQ_DIGITS;

/**
 * The key of a task execution's one final outcome row: the run that started the execution and
 * `<execAt>#outcome#<taskId>`. A run that finishes a task a dead worker had started (and maybe
 * already recorded) writes to the same key, so the row is never doubled.
 */
export function outcomeKey(
  exec: { readonly execRunId: string; readonly execAt: string },
  taskId: string,
): { readonly runId: string; readonly sk: string } {
  return { runId: exec.execRunId, sk: `${exec.execAt}#outcome#${taskId}` };
}

export class DynamoAuditLog {
  private seq = 0;
  private readonly parallelPuts: number;
  private readonly parallelBatches: number;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly random: () => string;
  private readonly now: () => Date;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    options: AuditLogOptions = {},
  ) {
    this.parallelPuts = Math.max(1, options.parallelPuts ?? 16);
    this.parallelBatches = Math.max(1, options.parallelBatches ?? 8);
    this.sleep = options.sleep;
    this.random = options.random ?? (() => randomBytes(2).toString('hex'));
    this.now = options.now ?? (() => new Date());
  }

  /** Appends records; each put refuses an existing key (AuditRecordExistsError). */
  async append(records: readonly AuditRecord[]): Promise<StoredAuditRecord[]> {
    const stored = records.map((r) => this.toStored(r));
    let next = 0;
    const lane = async () => {
      while (next < stored.length) {
        const item = stored[next++] as StoredAuditRecord;
        await this.putOnce(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallelPuts, stored.length) }, lane));
    return stored;
  }

  /**
   * Appends many records of a run with BatchWriteItem (25 rows a call, `parallelBatches` calls in
   * flight, unprocessed items retried with back-off): one call per 25 rows instead of one
   * conditional put per row. Batched puts cannot carry a condition, so this path relies on the
   * rule that makes the condition redundant here:
   *
   * AUDIT ROW KEYS ARE FRESH: the key of every row is `(runId, <at>#<seq>#<random>)`, made once
   * in this process by `toStored` before the first call is sent; `<seq>` counts every row this
   * log has numbered (unique until SEQ_SPAN rows; beyond that the rows go through the
   * conditional `append`), so no other row, of this run or any other, was given that key. A
   * call sent again (the SDK's retry of a call whose answer was lost, an unprocessed item, or
   * `writeStored` of the same rows after a failure) therefore writes the very same rows under
   * the very same keys: each decision still has exactly one row, identical to the first write.
   *
   * Rows whose key is shared with another writer by design (a task execution's outcome row,
   * `outcomeKey`, which a second run may finish) must stay on `appendOnce`: only there does
   * the condition decide which of two different rows is kept.
   */
  async appendBatched(records: readonly AuditRecord[]): Promise<StoredAuditRecord[]> {
    if (this.seq + records.length > SEQ_SPAN) return this.append(records);
    const stored = this.stamp(records);
    await this.writeStored(stored);
    return stored;
  }

  /** The rows `appendBatched` writes: each record given its fresh key and day partition. */
  stamp(records: readonly AuditRecord[]): StoredAuditRecord[] {
    return records.map((r) => this.toStored(r));
  }

  /**
   * Writes rows already keyed by `stamp` (or re-sends them after a failure) with
   * BatchWriteItem; writing the same rows twice leaves each row once, unchanged.
   */
  async writeStored(stored: readonly StoredAuditRecord[]): Promise<void> {
    const writer = new BatchWriter(this.doc, this.table, {
      maxInFlight: this.parallelBatches,
      ...(this.sleep ? { sleep: this.sleep } : {}),
    });
    try {
      await writer.putAll(stored as unknown as Record<string, unknown>[]);
      await writer.flush();
    } finally {
      // A failed call stops the rest; the calls still in flight finish before the error is
      // passed on, so nothing of this append is written after it returned.
      await writer.settle();
    }
  }

  /**
   * Writes `record` under the fixed key `key` (its runId replaced by `key.runId`) unless that
   * key exists: 'written', or 'exists' when an earlier run already wrote it.
   */
  async appendOnce(
    record: AuditRecord,
    key: { readonly runId: string; readonly sk: string },
  ): Promise<'written' | 'exists'> {
    const item = { ...this.toStored({ ...record, runId: key.runId }), sk: key.sk };
    try {
      await this.putOnce(item);
      return 'written';
    } catch (error) {
      if (error instanceof AuditRecordExistsError) return 'exists';
      throw error;
    }
  }

  /** Every record of a run, in time order (table key). */
  byRun(runId: string): AsyncIterable<StoredAuditRecord[]> {
    return this.query({
      KeyConditionExpression: 'runId = :r',
      ExpressionAttributeValues: { ':r': runId },
    });
  }

  /** Every record about a person (normalised email), from `since` on (GSI byEmail). */
  byEmail(email: string, since?: string): AsyncIterable<StoredAuditRecord[]> {
    return this.byIndex('byEmail', 'email', normalizeEmail(email), since);
  }

  /** Every record about an IdC user id, from `since` on (GSI byUserId). */
  byUserId(userId: string, since?: string): AsyncIterable<StoredAuditRecord[]> {
    return this.byIndex('byUserId', 'userId', userId, since);
  }

  /**
   * Every record from `from` (ISO) to `to` (default now), in time order: one Query per day
   * partition of GSI byDay.
   */
  async *since(from: string, to?: string): AsyncIterable<StoredAuditRecord[]> {
    const end = to ?? this.now().toISOString();
    for (const t of [from, end])
      if (Number.isNaN(Date.parse(t))) throw new UsageError(`not an ISO date or time: ${t}`);
    for (const day of daysBetween(from.slice(0, 10), end.slice(0, 10))) {
      yield* this.query({
        IndexName: 'byDay',
        KeyConditionExpression: '#d = :d AND #at BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#d': 'day', '#at': 'at' },
        ExpressionAttributeValues: { ':d': day, ':from': from, ':to': end },
      });
    }
  }

  private byIndex(
    indexName: string,
    attribute: string,
    value: string,
    since?: string,
  ): AsyncIterable<StoredAuditRecord[]> {
    return this.query({
      IndexName: indexName,
      KeyConditionExpression: since ? '#k = :k AND #at >= :since' : '#k = :k',
      ExpressionAttributeNames: { '#k': attribute, ...(since ? { '#at': 'at' } : {}) },
      ExpressionAttributeValues: { ':k': value, ...(since ? { ':since': since } : {}) },
    });
  }

  private query(input: Omit<QueryCommandInput, 'TableName'>): AsyncIterable<StoredAuditRecord[]> {
    return queryPages<StoredAuditRecord>(this.doc, { TableName: this.table, ...input });
  }

  private toStored(record: AuditRecord): StoredAuditRecord {
    const seq = String(this.seq++ % 10 ** SEQ_DIGITS).padStart(SEQ_DIGITS, '0');
    const email = record.email === undefined ? undefined : normalizeEmail(record.email);
    const item: Record<string, unknown> = {
      ...record,
      sk: `${record.at}#${seq}#${this.random()}`,
      day: record.at.slice(0, 10),
      email: email || undefined,
      userId: record.userId || undefined,
    };
    for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
    return item as unknown as StoredAuditRecord;
  }

  private async putOnce(item: StoredAuditRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item as unknown as Record<string, unknown>,
          ConditionExpression: 'attribute_not_exists(runId)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new AuditRecordExistsError(item.runId, item.sk);
      throw error;
    }
  }
}

/** Every `YYYY-MM-DD` from `first` to `last`, inclusive (UTC); empty when first > last. */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
