import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { QuickSightUser } from '../domain.js';
import { queryPages } from './audit-store.js';

/**
 * Durable deletion tasks (table `tasks`), one per QuickSight user. Every state change is a
 * conditional write (dynalite has no transactions):
 *
 *   enqueue ──► PENDING ──claim──► IN_PROGRESS ──complete──► DONE | CANCELLED
 *                 ▲  │                 │  │ └──fail──► FAILED ──claim──► IN_PROGRESS …
 *                 │  └─cancel─► CANCELLED  └──release──► PENDING
 *                 └── lease expired: claimable again
 *
 * A task that is PENDING, IN_PROGRESS or FAILED is live: re-planning leaves it as is. DONE and
 * CANCELLED are final for that task, but a new task may replace them (a re-created user).
 */

export const TASK_STATUSES = ['PENDING', 'IN_PROGRESS', 'DONE', 'FAILED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskOutcome = 'deleted' | 'already_gone' | 'failed' | 'cancelled';

export interface Task {
  readonly taskId: string;
  readonly status: TaskStatus;
  /** The plan run that created the task. */
  readonly runId: string;
  readonly email: string;
  readonly userName: string;
  readonly principalId?: string;
  readonly arn: string;
  readonly role: string;
  readonly identityType: string;
  readonly source: string;
  readonly reason: string;
  /** `remove --csv --keep-members`: membership still vetoes this CSV task (services/plan/rejoin-veto.ts). */
  readonly keepMembers?: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** QuickSight calls made for this task, over every run. */
  readonly attempts: number;
  readonly leaseOwner?: string;
  /** Epoch ms. */
  readonly leaseUntil?: number;
  readonly outcome?: TaskOutcome;
  readonly lastError?: string;
  /** Why the task was cancelled before it ran (e.g. the person re-joined). */
  readonly cancelReason?: string;
}

/** What the planner provides; the store adds status, attempts and timestamps. */
export type NewTask = Pick<
  Task,
  | 'taskId'
  | 'runId'
  | 'email'
  | 'userName'
  | 'principalId'
  | 'arn'
  | 'role'
  | 'identityType'
  | 'source'
  | 'reason'
  | 'keepMembers'
> & { readonly createdAt?: string };

/** `<namespace>#<userName>`, or `<namespace>#N/A#<principalId>` for users named `N/A`. */
export function taskIdFor(
  namespace: string,
  user: Pick<QuickSightUser, 'userName' | 'principalId'>,
): string {
  const key = user.userName === 'N/A' ? `N/A#${user.principalId ?? ''}` : user.userName;
  return `${namespace}#${key}`;
}

/** The row `enqueue` writes: PENDING, no attempts yet. */
export function pendingTask(task: NewTask, at: string): Task {
  return {
    ...task,
    createdAt: task.createdAt ?? at,
    updatedAt: at,
    status: 'PENDING',
    attempts: 0,
  };
}

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

  /** Creates a PENDING task unless a live one exists ('exists'); replaces a DONE/CANCELLED one. */
  async enqueue(task: NewTask): Promise<'created' | 'exists'> {
    const at = this.now().toISOString();
    const item = pendingTask(task, at);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: withoutUndefined(item),
          ConditionExpression: 'attribute_not_exists(taskId) OR #s IN (:done, :cancelled)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':done': 'DONE', ':cancelled': 'CANCELLED' },
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  /** Cancels a task that has not started (PENDING, or FAILED awaiting a retry). */
  async cancel(taskId: string, reason: string): Promise<boolean> {
    return this.update(taskId, {
      UpdateExpression:
        'SET #s = :cancelled, outcome = :outcome, cancelReason = :reason, updatedAt = :at',
      ConditionExpression: '#s IN (:pending, :failed)',
      ExpressionAttributeValues: {
        ':cancelled': 'CANCELLED',
        ':outcome': 'cancelled',
        ':reason': reason,
        ':pending': 'PENDING',
        ':failed': 'FAILED',
      },
    });
  }

  /**
   * Takes a task for `owner` until `nowMs + leaseMs`: PENDING or FAILED, or IN_PROGRESS with an
   * expired lease. Returns the claimed task, or undefined when it is not claimable.
   */
  async claim(
    taskId: string,
    owner: string,
    leaseMs: number,
    nowMs: number,
  ): Promise<Task | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { taskId },
          UpdateExpression:
            'SET #s = :ip, leaseOwner = :owner, leaseUntil = :until, updatedAt = :at',
          ConditionExpression:
            'attribute_exists(taskId) AND (#s IN (:pending, :failed) OR (#s = :ip AND leaseUntil < :now))',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':ip': 'IN_PROGRESS',
            ':owner': owner,
            ':until': nowMs + leaseMs,
            ':at': this.now().toISOString(),
            ':pending': 'PENDING',
            ':failed': 'FAILED',
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

  /** Extends `owner`'s lease; false when the lease was lost (expired and taken, or finished). */
  renew(taskId: string, owner: string, leaseMs: number, nowMs: number): Promise<boolean> {
    return this.updateOwned(taskId, owner, 'SET leaseUntil = :until, updatedAt = :at', {
      ':until': nowMs + leaseMs,
    });
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
      'SET #s = :failed, outcome = :outcome, lastError = :error, attempts = :attempts, updatedAt = :at REMOVE leaseUntil',
      { ':failed': 'FAILED', ':outcome': 'failed', ':error': error, ':attempts': attempts },
    );
  }

  /** Gives `owner`'s task back (graceful stop): PENDING again, no lease. */
  release(taskId: string, owner: string, attempts?: number): Promise<boolean> {
    return this.updateOwned(
      taskId,
      owner,
      `SET #s = :pending, updatedAt = :at${attempts === undefined ? '' : ', attempts = :attempts'} REMOVE leaseOwner, leaseUntil`,
      { ':pending': 'PENDING', ...(attempts === undefined ? {} : { ':attempts': attempts }) },
    );
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

  /** Tasks a worker may claim now: PENDING, FAILED, and IN_PROGRESS with an expired lease. */
  async *claimable(nowMs: number): AsyncIterable<Task[]> {
    yield* this.byStatus('PENDING');
    yield* this.byStatus('FAILED');
    yield* queryPages<Task>(this.doc, {
      TableName: this.table,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      FilterExpression: 'leaseUntil < :now',
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
    try {
      await this.doc.send(
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
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function withoutUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
