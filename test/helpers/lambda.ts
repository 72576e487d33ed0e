import { Writable } from 'node:stream';
import type { SqsRecord } from '../../shared/aws/sqs-task-messages.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';

/**
 * Lambda event shapes for the handler tests, as AWS delivers them, and a JSON log capture.
 */

/** Every JSON log line a handler writes, parsed. */
export function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream, metrics: () => lines.filter((l) => l._aws !== undefined) };
}

/**
 * The record an on-success Lambda destination sends: the snapshot invocation's request and its
 * return value (`responsePayload`).
 */
export function destinationRecord(responsePayload: unknown, requestPayload: unknown = {}) {
  return {
    version: '1.0',
    timestamp: '2026-11-27T12:03:21.123Z',
    requestContext: {
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      functionArn:
        'arn:aws:lambda:us-east-1:123456789012:function:Idsync-SnapshotFunction1A2B3C-AbCdEf123456:$LATEST',
      condition: 'Success',
      approximateInvokeCount: 1,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    responsePayload,
  };
}

/** The snapshot handler's summary of the newest snapshot (what its destination carries). */
export async function newestSnapshotSummary(snapshots: DynamoSnapshotStore) {
  const [newest] = await snapshots.latestComplete(1);
  if (!newest) throw new Error('no COMPLETE snapshot');
  return {
    runId: newest.runId,
    status: newest.status,
    counts: Object.fromEntries(Object.entries(newest.sources).map(([s, v]) => [s, v?.count ?? 0])),
    gone: 0,
    ledgerRecorded: 0,
    emptyGroups: [],
  };
}

/** A Lambda SQS event of `records` (message id, body), with the attributes SQS sends. */
export function sqsEvent(records: ReadonlyArray<{ messageId: string; body: string }>) {
  return {
    Records: records.map((r): SqsRecord & Record<string, unknown> => ({
      messageId: r.messageId,
      receiptHandle: `AQEB${r.messageId}`,
      body: r.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1795780800000',
        SenderId: 'AROAEXAMPLE:idsync-plan',
        ApproximateFirstReceiveTimestamp: '1795780800100',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:Idsync-WorkQueue',
      awsRegion: 'us-east-1',
    })),
  };
}

/** A Lambda context with `ms` left. */
export const contextWith = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
