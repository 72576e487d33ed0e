import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poisonRows, readTaskBatch } from '../../../shared/aws/sqs-task-batch.js';
import {
  parseTaskMessage,
  sqsRecords,
  taskMessageBody,
} from '../../../shared/aws/sqs-task-messages.js';

describe('task messages', () => {
  it('a body reads back as the message it was made from', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (taskId, runId) => {
        fc.pre(taskId.trim() !== '');
        expect(parseTaskMessage(taskMessageBody({ taskId, runId }))).toEqual({
          ok: true,
          message: { taskId, runId },
        });
      }),
    );
  });

  it('any other body is refused with a reason, never thrown', () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom(
        '{}',
        '[]',
        'null',
        '{"v":1}',
        '{"v":1,"taskId":"  "}',
        '{"v":2,"taskId":"t"}',
      ),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const parsed = parseTaskMessage(body);
        if (parsed.ok) {
          expect(JSON.parse(body)).toMatchObject({ v: 1, taskId: parsed.message.taskId });
        } else expect(parsed.reason).toMatch(/message/);
      }),
    );
    expect(parseTaskMessage(undefined)).toEqual({
      ok: false,
      reason: 'message body is not a string',
    });
  });

  it('a batch groups messages by task and sets poison apart, with an audit row each', () => {
    const body = taskMessageBody({ taskId: 'default#r/a@x', runId: 'p1' });
    const { records, malformed } = sqsRecords({
      Records: [
        { messageId: 'm1', body },
        { messageId: 'm2', body: 'garbage' },
        { messageId: 'm3', body },
        { body: 'no id' },
      ],
    });
    expect(malformed).toBe(1);
    const batch = readTaskBatch(records);
    expect([...batch.messages]).toEqual([['default#r/a@x', ['m1', 'm3']]]);
    expect(batch.poison.map((p) => [p.record.messageId, p.reason])).toEqual([
      ['m2', 'message body is not JSON'],
    ]);
    expect(poisonRows(batch, 'w1', '2026-11-27T12:00:00.000Z')).toEqual([
      expect.objectContaining({
        runId: 'w1',
        kind: 'input_error',
        detail: expect.objectContaining({ messageId: 'm2', body: 'garbage' }),
      }),
    ]);
    expect(sqsRecords('not an event')).toEqual({ records: [], malformed: 0 });
  });
});
