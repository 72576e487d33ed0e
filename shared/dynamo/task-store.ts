import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  CLAIMABLE_STATUSES,
  type NewTask,
  pendingTask,
  type Task,
  type TaskOutcome,
  type TaskStatus,
} from '../task.js';
import { queryPages, writeIf } from './batch.js';

/**
 * The task table (`tasks`) in DynamoDB: the states and rules of a task are in shared/task.ts;
 * every state change here is a conditional write (dynalite has no transactions).
 */

export interface TaskStoreOptions {
  /** Wall clock for `createdAt` / `updatedAt`; default the system clock. */
  readonly now?: () => Date;
}

export class DynamoTaskStore {
  private readonly now: () => Date;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    options: TaskStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Creates a PENDING task unless a live one exists ('exists'); replaces a DONE/CANCELLED one.
   * With `dataFrom` (when the plan's snapshot started), a task that became DONE at or after it
   * is not replaced ('exists'): the plan's data predates that deletion, so the user it lists is
   * the one already deleted, not a re-created one (a re-plan from the same snapshot, e.g. after
   * a killed `inactive --apply`, would otherwise delete everyone again as "already gone").
   */
  async enqueue(
    task: NewTask,
    blockReason?: string,
    dataFrom?: string,
  ): Promise<'created' | 'exists'> {
    const at = this.now().toISOString();
    const item = pendingTask(task, at, blockReason);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: withoutUndefined(item),
          ConditionExpression:
            dataFrom === undefined
              ? 'attribute_not_exists(taskId) OR #s IN (:done, :cancelled)'
              : 'attribute_not_exists(taskId) OR #s = :cancelled OR (#s = :done AND updatedAt < :from)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':done': 'DONE',
            ':cancelled': 'CANCELLED',
            ...(dataFrom === undefined ? {} : { ':from': dataFrom }),
          },
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  /** Cancels a task that has not started (PENDING, BLOCKED, or FAILED awaiting a retry). */
  async cancel(taskId: string, reason: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression:
        'SET #s = :cancelled, outcome = :outcome, cancelReason = :reason, updatedAt = :at',
      ConditionExpression: '#s IN (:pending, :failed, :blocked)',
      ExpressionAttributeValues: {
        ':cancelled': 'CANCELLED',
        ':outcome': 'cancelled',
        ':reason': reason,
        ':pending': 'PENDING',
        ':failed': 'FAILED',
        ':blocked': 'BLOCKED',
      },
    });
  }

  /** Deletes a PENDING or BLOCKED task this run created (undoing a half-queued plan). */
  async withdraw(taskId: string, runId: string): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { taskId },
          ConditionExpression: '#s IN (:pending, :blocked) AND runId = :run',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':blocked': 'BLOCKED',
            ':run': runId,
          },
        }),
      ),
    );
  }

  /** Blocks `owner`'s task (the guard window refused its deletion): BLOCKED, no lease. */
  block(taskId: string, owner: string, reason: string, attempts: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      'SET #s = :blocked, blockReason = :reason, attempts = :attempts, updatedAt = :at REMOVE leaseOwner, leaseUntil',
      { ':blocked': 'BLOCKED', ':reason': reason, ':attempts': attempts },
    );
  }

  /** Turns one BLOCKED task back into PENDING (the operator released it). */
  unblock(taskId: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression: 'SET #s = :pending, updatedAt = :at REMOVE blockReason',
      ConditionExpression: '#s = :blocked',
      ExpressionAttributeValues: { ':pending': 'PENDING', ':blocked': 'BLOCKED' },
    });
  }

  /**
   * Takes a task for `owner` until `nowMs + leaseMs` when it is claimable (`isClaimable`).
   * Returns the claimed task, or undefined when it is not claimable. `runId` becomes the
   * execution's run (`execRunId`) unless the task is taken over from a dead worker, whose
   * execution goes on.
   */
  async claim(
    taskId: string,
    owner: string,
    leaseMs: number,
    nowMs: number,
    runId?: string,
  ): Promise<Task | undefined> {
    const at = this.now().toISOString();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { taskId },
          UpdateExpression:
            'SET #s = :ip, leaseOwner = :owner, leaseUntil = :until, updatedAt = :at, execRunId = if_not_exists(execRunId, :run), execAt = if_not_exists(execAt, :at)',
          ConditionExpression:
            'attribute_exists(taskId) AND (#s IN (:pending, :failed) OR (#s = :ip AND leaseUntil < :now))',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':ip': 'IN_PROGRESS',
            ':owner': owner,
            ':until': nowMs + leaseMs,
            ':at': at,
            ':run': runId ?? owner,
            ':pending': CLAIMABLE_STATUSES[0],
            ':failed': CLAIMABLE_STATUSES[1],
            ':now': nowMs,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Task | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Extends `owner`'s lease; false when the lease was lost (expired and taken, or finished).
   * With `attempts`, also records the calls made so far: the worker counts a call here just
   * before sending it, so a run after a crash knows an earlier call may have deleted the user.
   */
  renew(
    taskId: string,
    owner: string,
    leaseMs: number,
    nowMs: number,
    attempts?: number,
  ): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      `SET leaseUntil = :until, updatedAt = :at${attempts === undefined ? '' : ', attempts = :attempts'}`,
      { ':until': nowMs + leaseMs, ...(attempts === undefined ? {} : { ':attempts': attempts }) },
    );
  }

  /** Finishes `owner`'s task: DONE (deleted, already gone) or CANCELLED (vetoed before it ran). */
  complete(
    taskId: string,
    owner: string,
    outcome: Exclude<TaskOutcome, 'failed'>,
    attempts: number,
  ): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      'SET #s = :final, outcome = :outcome, attempts = :attempts, updatedAt = :at REMOVE leaseUntil',
      {
        ':final': outcome === 'cancelled' ? 'CANCELLED' : 'DONE',
        ':outcome': outcome,
        ':attempts': attempts,
      },
    );
  }

  /** Marks `owner`'s task FAILED (retried by a later run), with the last error. */
  fail(taskId: string, owner: string, error: string, attempts: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      'SET #s = :failed, outcome = :outcome, lastError = :error, attempts = :attempts, updatedAt = :at REMOVE leaseUntil, execRunId, execAt',
      { ':failed': 'FAILED', ':outcome': 'failed', ':error': error, ':attempts': attempts },
    );
  }

  /** Gives `owner`'s task back (graceful stop): PENDING again, no lease. */
  release(taskId: string, owner: string, attempts?: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      `SET #s = :pending, updatedAt = :at${attempts === undefined ? '' : ', attempts = :attempts'} REMOVE leaseOwner, leaseUntil, execRunId, execAt`,
      { ':pending': 'PENDING', ...(attempts === undefined ? {} : { ':attempts': attempts }) },
    );
  }

  /**
   * Gives `owner`'s task back without running it (the worker's check could not decide now, e.g.
   * the activity record is stale): PENDING again, no lease, attempts unchanged; the same write as
   * `release`, named apart so a caller can tell the two (the worker Lambda acknowledges a
   * deferred task's message: the plan announces PENDING tasks again every cycle).
   */
  defer(taskId: string, owner: string, attempts?: number): Promise<boolean> {
    return this.release(taskId, owner, attempts);
  }

  async get(taskId: string): Promise<Task | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { taskId }, ConsistentRead: true }),
    );
    return out.Item as Task | undefined;
  }

  /** Tasks of one status, oldest first (GSI byStatus), page by page. */
  byStatus(status: TaskStatus): AsyncIterable<Task[]> {
    return queryPages<Task>(this.doc, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
    });
  }

  /** Tasks a worker may claim now (`isClaimable`): PENDING, FAILED, IN_PROGRESS expired. */
  async *claimable(nowMs: number): AsyncIterable<Task[]> {
    for (const status of CLAIMABLE_STATUSES) yield* this.byStatus(status);
    yield* this.inProgress(nowMs, 'leaseUntil < :now');
  }

  /** IN_PROGRESS tasks whose lease has not expired (`isLeased`): held by a worker now. */
  leased(nowMs: number): AsyncIterable<Task[]> {
    return this.inProgress(nowMs, 'leaseUntil >= :now');
  }

  private inProgress(nowMs: number, filter: string): AsyncIterable<Task[]> {
    return queryPages<Task>(this.doc, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      FilterExpression: filter,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': 'IN_PROGRESS', ':now': nowMs },
    });
  }

  /** An update conditional on `owner` holding the task IN_PROGRESS. */
  private updateOwned(
    taskId: string,
    owner: string,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression: updateExpression,
      ConditionExpression: '#s = :ip AND leaseOwner = :owner',
      ExpressionAttributeValues: { ...values, ':ip': 'IN_PROGRESS', ':owner': owner },
    });
  }

  private async update(
    taskId: string,
    input: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { taskId },
          ...input,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ...input.ExpressionAttributeValues,
            ':at': this.now().toISOString(),
          },
        }),
      ),
    );
  }
}

function withoutUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
