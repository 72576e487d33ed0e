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
  awaitingTask,
  CLAIMABLE_STATUSES,
  type NewTask,
  pendingTask,
  type Task,
  type TaskOutcome,
  type TaskStatus,
} from '../task.js';
import { queryPages, writeIf } from './batch.js';
import {
  awaitingIn,
  blocked,
  type Condition,
  cancellable,
  claimable,
  conditionInput,
  heldBy,
  inReview,
  leaseEndedBy,
  leaseHoldsAt,
  replaceable,
  statusIn,
  withdrawable,
} from './task-conditions.js';

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
    return this.putNew(pendingTask(task, this.now().toISOString(), blockReason), dataFrom);
  }

  /**
   * Creates a task AWAITING_APPROVAL in review `reviewRunId` (never claimable until approved),
   * under the same rule as `enqueue`: a live task of the user is left as it is ('exists').
   */
  enqueueForReview(
    task: NewTask,
    reviewRunId: string,
    dataFrom?: string,
  ): Promise<'created' | 'exists'> {
    return this.putNew(awaitingTask(task, this.now().toISOString(), reviewRunId), dataFrom);
  }

  private async putNew(item: Task, dataFrom?: string): Promise<'created' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: withoutUndefined(item),
          ...conditionInput(replaceable(dataFrom)),
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  /** A BLOCKED task (a leaver the guard window held) joins review `reviewRunId`. */
  holdForReview(taskId: string, reviewRunId: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression: 'SET #status = :awaiting, reviewRunId = :review, updatedAt = :at',
      condition: blocked,
      ExpressionAttributeValues: { ':awaiting': 'AWAITING_APPROVAL', ':review': reviewRunId },
    });
  }

  /** Review `reviewRunId` was approved: its task AWAITING_APPROVAL becomes PENDING. */
  approve(taskId: string, reviewRunId: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression: 'SET #status = :pending, updatedAt = :at REMOVE blockReason',
      condition: awaitingIn(reviewRunId),
      ExpressionAttributeValues: { ':pending': 'PENDING' },
    });
  }

  /** Review `reviewRunId` was rejected or expired: its task AWAITING_APPROVAL is CANCELLED. */
  cancelAwaiting(taskId: string, reviewRunId: string, reason: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression:
        'SET #status = :cancelled, outcome = :outcome, cancelReason = :reason, updatedAt = :at',
      condition: awaitingIn(reviewRunId),
      ExpressionAttributeValues: {
        ':cancelled': 'CANCELLED',
        ':outcome': 'cancelled',
        ':reason': reason,
      },
    });
  }

  /** Cancels a task that has not started (PENDING, BLOCKED, or FAILED awaiting a retry). */
  async cancel(taskId: string, reason: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression:
        'SET #status = :cancelled, outcome = :outcome, cancelReason = :reason, updatedAt = :at',
      condition: cancellable,
      ExpressionAttributeValues: {
        ':cancelled': 'CANCELLED',
        ':outcome': 'cancelled',
        ':reason': reason,
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
          ...conditionInput(withdrawable(runId)),
        }),
      ),
    );
  }

  /** Blocks `owner`'s task (the guard window refused its deletion): BLOCKED, no lease. */
  block(taskId: string, owner: string, reason: string, attempts: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      'SET #status = :blocked, blockReason = :reason, attempts = :attempts, updatedAt = :at REMOVE leaseOwner, leaseUntil',
      { ':blocked': 'BLOCKED', ':reason': reason, ':attempts': attempts },
    );
  }

  /** Turns one BLOCKED task back into PENDING (the operator released it). */
  unblock(taskId: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression: 'SET #status = :pending, updatedAt = :at REMOVE blockReason',
      condition: blocked,
      ExpressionAttributeValues: { ':pending': 'PENDING' },
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
            'SET #status = :ip, leaseOwner = :owner, leaseUntil = :until, updatedAt = :at, execRunId = if_not_exists(execRunId, :run), execAt = if_not_exists(execAt, :at)',
          ...conditionInput(claimable(nowMs), {
            ':ip': 'IN_PROGRESS',
            ':owner': owner,
            ':until': nowMs + leaseMs,
            ':at': at,
            ':run': runId ?? owner,
          }),
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
      'SET #status = :final, outcome = :outcome, attempts = :attempts, updatedAt = :at REMOVE leaseUntil',
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
      'SET #status = :failed, outcome = :outcome, lastError = :error, attempts = :attempts, updatedAt = :at REMOVE leaseUntil, execRunId, execAt',
      { ':failed': 'FAILED', ':outcome': 'failed', ':error': error, ':attempts': attempts },
    );
  }

  /** Gives `owner`'s task back (graceful stop): PENDING again, no lease. */
  release(taskId: string, owner: string, attempts?: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      `SET #status = :pending, updatedAt = :at${attempts === undefined ? '' : ', attempts = :attempts'} REMOVE leaseOwner, leaseUntil, execRunId, execAt`,
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
  byStatus(status: TaskStatus, filter?: Condition): AsyncIterable<Task[]> {
    const key = statusIn([status]);
    return queryPages<Task>(this.doc, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: key.expression,
      ...(filter ? { FilterExpression: filter.expression } : {}),
      ExpressionAttributeNames: { ...key.names, ...filter?.names },
      ExpressionAttributeValues: { ...key.values, ...filter?.values },
    });
  }

  /** Tasks of one status that belong to review `reviewRunId` (GSI byStatus, filtered). */
  ofReview(status: TaskStatus, reviewRunId: string): AsyncIterable<Task[]> {
    return this.byStatus(status, inReview(reviewRunId));
  }

  /**
   * Tasks a worker may claim now (`isClaimable`, the condition `claimable`): PENDING, FAILED,
   * IN_PROGRESS whose lease ended. Read per status (the index's key), the lease as a filter.
   */
  async *claimable(nowMs: number): AsyncIterable<Task[]> {
    for (const status of CLAIMABLE_STATUSES) yield* this.byStatus(status);
    yield* this.byStatus('IN_PROGRESS', leaseEndedBy(nowMs));
  }

  /** IN_PROGRESS tasks whose lease holds (`isLeased`, the condition `leased`): held by a worker now. */
  leased(nowMs: number): AsyncIterable<Task[]> {
    return this.byStatus('IN_PROGRESS', leaseHoldsAt(nowMs));
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
      condition: heldBy(owner),
      ExpressionAttributeValues: values,
    });
  }

  private async update(
    taskId: string,
    input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeValues'> & {
      readonly condition: Condition;
    },
  ): Promise<boolean> {
    const { condition, ...update } = input;
    return writeIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { taskId },
          UpdateExpression: update.UpdateExpression,
          ...conditionInput(condition, {
            ...update.ExpressionAttributeValues,
            ':at': this.now().toISOString(),
          }),
          // Updates that set the status name it as the conditions do.
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      ),
    );
  }
}

function withoutUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
