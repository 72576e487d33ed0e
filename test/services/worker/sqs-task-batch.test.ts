import { describe, expect, it } from 'vitest';
import { poisonRows, readTaskBatch } from '../../../services/worker/sqs-task-batch.js';
import { sqsRecords, taskMessageBody } from '../../../shared/aws/sqs-task-messages.js';

describe('a batch of task messages', () => {
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
