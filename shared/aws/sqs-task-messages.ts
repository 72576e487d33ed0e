/**
 * The messages on the worker queue, and the SQS shapes the Lambda handlers read and answer.
 *
 * One message names one durable task (`tasks` table) by id: `{"v":1,"taskId":…,"runId":…}`.
 * The task row, not the message, holds what to delete; a message is only a wake-up call, so a
 * duplicate or stale message is harmless (the worker's claim is conditional). One message per
 * task lets the worker answer SQS per task with a partial batch response: a failed task is
 * retried alone, never with the other 99 of its batch.
 */

import type { DynamoTaskStore } from '../dynamo/task-store.js';

export const TASK_MESSAGE_VERSION = 1;

export interface TaskMessage {
  readonly taskId: string;
  /** The run that announced the task (plan or event handler run), for the logs. */
  readonly runId: string;
}

/** Where the producers (plan, event handler) put task messages: SQS in AWS, memory in tests. */
export interface TaskQueuePort {
  /** Sends one message per task; resolves when every message was accepted. */
  send(messages: readonly TaskMessage[]): Promise<void>;
}

/**
 * Sends one message per task a worker may claim now (PENDING, FAILED, expired lease), each
 * once; with `emails`, only the tasks of those people. Returns the number sent.
 */
export async function announceClaimableTasks(
  tasks: Pick<DynamoTaskStore, 'claimable'>,
  queue: TaskQueuePort,
  runId: string,
  emails?: ReadonlySet<string>,
): Promise<number> {
  const ids = new Set<string>();
  for await (const page of tasks.claimable(Date.now()))
    for (const t of page) if (!emails || emails.has(t.email)) ids.add(t.taskId);
  await queue.send([...ids].map((taskId) => ({ taskId, runId })));
  return ids.size;
}

export function taskMessageBody(message: TaskMessage): string {
  return JSON.stringify({ v: TASK_MESSAGE_VERSION, taskId: message.taskId, runId: message.runId });
}

export type ParsedTaskMessage =
  | { readonly ok: true; readonly message: TaskMessage }
  | { readonly ok: false; readonly reason: string };

/** Reads a message body; anything but a version-1 task message is refused with the reason. */
export function parseTaskMessage(body: unknown): ParsedTaskMessage {
  if (typeof body !== 'string') return { ok: false, reason: 'message body is not a string' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'message body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'message body is not a JSON object' };
  }
  const v = value as Record<string, unknown>;
  if (v.v !== TASK_MESSAGE_VERSION) {
    return { ok: false, reason: `unknown message version ${JSON.stringify(v.v ?? null)}` };
  }
  if (typeof v.taskId !== 'string' || v.taskId.trim() === '') {
    return { ok: false, reason: 'message has no taskId' };
  }
  return {
    ok: true,
    message: { taskId: v.taskId, runId: typeof v.runId === 'string' ? v.runId : '' },
  };
}

/** One record of a Lambda SQS event (the fields idsync reads). */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  /** ApproximateReceiveCount, SentTimestamp, …: strings, as SQS sends them. */
  readonly attributes?: Readonly<Record<string, string | undefined>>;
  readonly eventSource?: string;
}

/** The partial batch response (`reportBatchItemFailures`): the messages to deliver again. */
export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

/**
 * The records of a Lambda SQS event. A record without a message id cannot be answered per item;
 * it is dropped here (and counted), since SQS never sends one.
 */
export function sqsRecords(event: unknown): { records: SqsRecord[]; malformed: number } {
  const raw =
    typeof event === 'object' && event !== null ? (event as { Records?: unknown }).Records : [];
  if (!Array.isArray(raw)) return { records: [], malformed: 0 };
  const records: SqsRecord[] = [];
  let malformed = 0;
  for (const r of raw) {
    if (typeof r === 'object' && r !== null && typeof r.messageId === 'string') {
      records.push(r as SqsRecord);
    } else malformed++;
  }
  return { records, malformed };
}

/**
 * An in-memory TaskQueuePort: keeps what was sent. The tests use it in place of SQS (there is no
 * SQS stand-in in the sandbox); it is not used in AWS.
 */
export class MemoryTaskQueue implements TaskQueuePort {
  readonly sent: TaskMessage[] = [];
  private seq = 0;

  async send(messages: readonly TaskMessage[]): Promise<void> {
    this.sent.push(...messages);
  }

  /** Takes every message sent so far, as SQS would hand them out (a message id, the body). */
  drain(): Array<{ messageId: string; body: string }> {
    return this.sent.splice(0).map((m) => ({
      messageId: `msg-${++this.seq}`,
      body: taskMessageBody(m),
    }));
  }
}
