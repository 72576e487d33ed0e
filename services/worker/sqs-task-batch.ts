import type { QuickSightDeleter } from '../../shared/aws/quicksight-users.js';
import {
  parseTaskMessage,
  type SqsBatchResponse,
  type SqsRecord,
} from '../../shared/aws/sqs-task-messages.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import type { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { isRetryable } from '../../shared/errors.js';
import { type Task, taskAction } from '../../shared/task.js';

/**
 * One SQS batch of task messages on the worker side: which tasks it names, its poison messages,
 * and the partial batch response. The worker Lambda runs the named tasks through runWorker with
 * the two port wrappers below, which note how each task ended; `answer()` then lists the
 * messages SQS must deliver again.
 *
 * A message is delivered again when its task failed with a retryable error (throttling, 5xx,
 * reset, after every attempt of this invocation), was given back on the stop before the
 * timeout, was never reached, is held under the short lease of an invocation that died, or could
 * not be read or booked. It is acknowledged when its task ended DONE or CANCELLED, was deferred
 * (PENDING again: the next plan cycle announces it), was finished
 * earlier or taken by another run while this one claimed it,
 * does not exist, or failed for good (access denied, validation: the row stays FAILED and the
 * next plan cycle announces it again). A poison message is acknowledged after its audit row.
 */

export interface TaskBatch {
  /** taskId → the ids of the messages naming it (a task may be announced twice). */
  readonly messages: ReadonlyMap<string, readonly string[]>;
  readonly poison: ReadonlyArray<{ readonly record: SqsRecord; readonly reason: string }>;
}

export function readTaskBatch(records: readonly SqsRecord[]): TaskBatch {
  const messages = new Map<string, string[]>();
  const poison: Array<{ record: SqsRecord; reason: string }> = [];
  for (const record of records) {
    const parsed = parseTaskMessage(record.body);
    if (!parsed.ok) {
      poison.push({ record, reason: parsed.reason });
      continue;
    }
    const ids = messages.get(parsed.message.taskId) ?? [];
    ids.push(record.messageId);
    messages.set(parsed.message.taskId, ids);
  }
  return { messages, poison };
}

/** The audit rows of the poison messages (kind `input_error`), body shortened. */
export function poisonRows(batch: TaskBatch, runId: string, at: string): AuditRecord[] {
  return batch.poison.map(({ record, reason }) => ({
    runId,
    at,
    kind: 'input_error',
    reason: `worker queue message ${record.messageId}: ${reason}; acknowledged, not retried`,
    detail: {
      messageId: record.messageId,
      receiveCount: record.attributes?.ApproximateReceiveCount ?? '',
      body: String(record.body).slice(0, 500),
    },
  }));
}

type End = 'settled' | 'released' | 'failed';

/** How each task of the batch ended, as the port wrappers saw it. */
export class TaskBatchOutcomes {
  private readonly ends = new Map<string, End>();
  private readonly lastCallRetryable = new Map<string, boolean>();
  private readonly unreadable = new Set<string>();

  /** The task could not be read: its messages are delivered again. */
  unreadableTask(taskId: string): void {
    this.unreadable.add(taskId);
  }

  /** The task needs no work here (missing, not claimable, dry run): acknowledged. */
  settled(taskId: string): void {
    this.ends.set(taskId, 'settled');
  }

  /** The partial batch response for `batch`. */
  answer(batch: TaskBatch): SqsBatchResponse {
    const again = [...batch.messages].filter(([taskId]) => this.redeliver(taskId));
    return {
      batchItemFailures: again.flatMap(([, ids]) =>
        ids.map((itemIdentifier) => ({ itemIdentifier })),
      ),
    };
  }

  private redeliver(taskId: string): boolean {
    if (this.unreadable.has(taskId)) return true;
    const end = this.ends.get(taskId);
    if (end === 'settled') return false;
    if (end === 'failed') return this.lastCallRetryable.get(taskId) === true;
    return true;
  }

  /**
   * The task store for runWorker: `claimable()` yields only `named` (each claim stays
   * conditional); every other call goes to `tasks`, and its success is noted.
   */
  taskStore(
    tasks: Pick<
      DynamoTaskStore,
      'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'block' | 'defer'
    >,
    named: readonly Task[],
  ): Pick<
    DynamoTaskStore,
    'claimable' | 'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'block' | 'defer'
  > {
    const noted = async (taskId: string, end: End, call: Promise<boolean>) => {
      const kept = await call;
      this.ends.set(taskId, end);
      return kept;
    };
    return {
      async *claimable() {
        yield [...named];
      },
      claim: async (taskId, ...rest) => {
        const task = await tasks.claim(taskId, ...rest);
        if (!task) this.ends.set(taskId, 'settled'); // finished meanwhile, or held by another run
        return task;
      },
      renew: (...a) => tasks.renew(...a),
      complete: (taskId, ...rest) => noted(taskId, 'settled', tasks.complete(taskId, ...rest)),
      fail: (taskId, ...rest) => noted(taskId, 'failed', tasks.fail(taskId, ...rest)),
      release: (taskId, ...rest) => noted(taskId, 'released', tasks.release(taskId, ...rest)),
      // A blocked task waits for the operator's release, not for a redelivery.
      block: (taskId, ...rest) => noted(taskId, 'settled', tasks.block(taskId, ...rest)),
      // A deferred task (PENDING again) is announced again by the next plan cycle.
      defer: (taskId, ...rest) => noted(taskId, 'settled', tasks.defer(taskId, ...rest)),
    };
  }

  /** The QuickSight deletes for runWorker, noting whether each task's last call failed retryably. */
  deletes(port: QuickSightDeleter, named: readonly Task[]): QuickSightDeleter {
    const byUserName = new Map(
      named.filter((t) => taskAction(t) === 'delete').map((t) => [t.userName, t.taskId]),
    );
    const byRoleTask = new Map(
      named.filter((t) => taskAction(t) === 'change_role').map((t) => [t.userName, t.taskId]),
    );
    const byPrincipal = new Map(named.map((t) => [t.principalId ?? '', t.taskId]));
    const watch = async <T>(taskId: string | undefined, call: () => Promise<T>): Promise<T> => {
      try {
        const result = await call();
        if (taskId) this.lastCallRetryable.set(taskId, false);
        return result;
      } catch (error) {
        if (taskId) this.lastCallRetryable.set(taskId, isRetryable(error));
        throw error;
      }
    };
    return {
      deleteUser: (name) => watch(byUserName.get(name), () => port.deleteUser(name)),
      deleteUserByPrincipalId: (id) =>
        watch(byPrincipal.get(id), () => port.deleteUserByPrincipalId(id)),
      ...(port.updateUserRole
        ? {
            updateUserRole: (name: string, role: string) =>
              watch(byRoleTask.get(name), () =>
                (port.updateUserRole as NonNullable<QuickSightDeleter['updateUserRole']>)(
                  name,
                  role,
                ),
              ),
          }
        : {}),
    };
  }
}
