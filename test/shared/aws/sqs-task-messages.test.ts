import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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

  it('an SQS event gives its records with a message id; the rest are counted as malformed', () => {
    const body = taskMessageBody({ taskId: 'default#r/a@x', runId: 'p1' });
    const { records, malformed } = sqsRecords({
      Records: [{ messageId: 'm1', body }, { body: 'no id' }, null, 'text'],
    });
    expect(records).toEqual([{ messageId: 'm1', body }]);
    expect(malformed).toBe(3);
    expect(sqsRecords('not an event')).toEqual({ records: [], malformed: 0 });
    expect(sqsRecords({ Records: 'not a list' })).toEqual({ records: [], malformed: 0 });
  });
});
