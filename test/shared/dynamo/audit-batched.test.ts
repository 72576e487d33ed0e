import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  DynamoAuditLog,
  outcomeKey,
  type StoredAuditRecord,
} from '../../../shared/dynamo/audit-store.js';
import { startTestTables } from '../../helpers/tables.js';

/**
 * DynamoAuditLog.appendBatched: a run's many rows through BatchWriteItem against dynalite,
 * unprocessed items retried, and a write that breaks anywhere, then sent again, leaving each row
 * exactly once and unchanged.
 */

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

type Item = Record<string, unknown>;
type WriteRequests = Array<{ PutRequest: { Item: Item } }>;
const instant = async () => {};

async function readRun(log: DynamoAuditLog, runId: string): Promise<StoredAuditRecord[]> {
  const out: StoredAuditRecord[] = [];
  for await (const page of log.byRun(runId)) out.push(...page);
  return out;
}

const decisions = (runId: string, n: number): AuditRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    runId,
    at: '2026-12-07T10:00:00.000Z',
    kind: 'decision' as const,
    email: `person${i}@example.com`,
    source: 'csv',
    decision: 'not_found',
    reason: `no QuickSight user for person${i}@example.com; listed in the CSV (CSV line ${i + 2})`,
  }));

/**
 * A document client in front of the real one that changes what BatchWriteItem calls do: `plan`
 * is given each call's number (from 1) and its requests, and says how many of them reach
 * DynamoDB and what happens then.
 */
function faultyDoc(
  plan: (
    call: number,
    requests: WriteRequests,
  ) => { write: number; after: 'unprocessed' | 'throw' },
) {
  let calls = 0;
  const stats = { calls: 0, batchSizes: [] as number[] };
  const doc = {
    send: async (command: unknown) => {
      if (!(command instanceof BatchWriteCommand)) return t.doc.send(command as never);
      calls += 1;
      stats.calls = calls;
      const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0] as [
        string,
        WriteRequests,
      ];
      stats.batchSizes.push(requests.length);
      const { write, after } = plan(calls, requests);
      const sent = requests.slice(0, write);
      if (sent.length > 0)
        await t.doc.send(new BatchWriteCommand({ RequestItems: { [table]: sent } }));
      if (after === 'throw') throw new Error(`connection reset during call ${calls}`);
      const left = requests.slice(write);
      return { UnprocessedItems: left.length > 0 ? { [table]: left } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, stats };
}

describe('DynamoAuditLog.appendBatched', () => {
  it('writes a run of rows 25 per BatchWriteItem call and reads them back once each', async () => {
    const { doc, stats } = faultyDoc((_, requests) => ({
      write: requests.length,
      after: 'unprocessed',
    }));
    const log = new DynamoAuditLog(doc, t.names.audit);
    const stored = await log.appendBatched(decisions('batched-a', 130));
    expect(stats.batchSizes).toEqual([25, 25, 25, 25, 25, 5]);
    const read = await readRun(log, 'batched-a');
    expect(read.map((r) => r.sk)).toEqual(stored.map((r) => r.sk).sort());
    expect(new Set(read.map((r) => r.sk)).size).toBe(130);
  });

  it('retries unprocessed items with back-off until every row is written', async () => {
    // Every call writes only its first 3 items and hands the rest back as unprocessed.
    const { doc, stats } = faultyDoc(() => ({ write: 3, after: 'unprocessed' }));
    const waits: number[] = [];
    const log = new DynamoAuditLog(doc, t.names.audit, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await log.appendBatched(decisions('batched-b', 25));
    const read = await readRun(log, 'batched-b');
    expect(read).toHaveLength(25);
    expect(stats.calls).toBe(9); // 25 = 8 calls of 3 + 1 of 1
    expect(waits).toHaveLength(8);
    expect(waits.every((ms) => ms >= 0 && ms <= 5_000)).toBe(true);
  });

  it('gives up after the retry limit instead of looping on a table that never takes the rows', async () => {
    const { doc } = faultyDoc(() => ({ write: 0, after: 'unprocessed' }));
    const log = new DynamoAuditLog(doc, t.names.audit, { sleep: instant });
    await expect(log.appendBatched(decisions('batched-c', 3))).rejects.toThrow(/unprocessed/);
  });

  it('a write broken at any point, then sent again, leaves each row once and unchanged (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom('throw' as const, 'unprocessed' as const),
        async (n, breakAt, written, then) => {
          const runId = `crash-${run++}`;
          const log = new DynamoAuditLog(t.doc, t.names.audit, { sleep: instant });
          const stored = log.stamp(decisions(runId, n));
          // The first attempt: call `breakAt` writes only its first `written` rows, then either
          // the connection breaks (the caller sees an error) or the rest come back unprocessed
          // and are never retried (the process dies: the error is the give-up below).
          const faulty = faultyDoc((call, requests) =>
            call === breakAt
              ? { write: Math.min(written, requests.length), after: then }
              : call > breakAt
                ? { write: 0, after: 'throw' }
                : { write: requests.length, after: 'unprocessed' },
          );
          const first = new DynamoAuditLog(faulty.doc, t.names.audit, {
            sleep: instant,
            parallelBatches: 3,
          });
          const outcome = await first.writeStored(stored).then(
            () => 'ok',
            () => 'broken',
          );
          const calls = Math.ceil(n / 25);
          if (breakAt > calls) expect(outcome).toBe('ok');
          const afterBreak = await readRun(log, runId);
          const byKey = new Map(stored.map((r) => [r.sk, r]));
          // Whatever the break left: only rows of this write, each unchanged.
          for (const row of afterBreak) expect(row).toEqual(byKey.get(row.sk));
          // Sent again: every row exactly once, identical to what was stamped.
          await log.writeStored(stored);
          const read = await readRun(log, runId);
          expect(read).toHaveLength(n);
          expect(read).toEqual([...stored].sort((a, b) => (a.sk < b.sk ? -1 : 1)));
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it('leaves outcome rows to the conditional appendOnce: a second outcome for one key is refused', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit);
    const key = outcomeKey({ execRunId: 'exec-1', execAt: '2026-12-07T10:00:00.000Z' }, 'task-1');
    const row = { runId: 'x', at: '2026-12-07T10:00:01.000Z', kind: 'outcome' as const };
    expect(await log.appendOnce({ ...row, outcome: 'deleted' }, key)).toBe('written');
    expect(await log.appendOnce({ ...row, outcome: 'failed' }, key)).toBe('exists');
    const read = await readRun(log, 'exec-1');
    expect(read.map((r) => r.outcome)).toEqual(['deleted']);
  });
});
