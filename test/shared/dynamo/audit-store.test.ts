import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  AuditRecordExistsError,
  DynamoAuditLog,
  daysBetween,
  type StoredAuditRecord,
} from '../../../shared/dynamo/audit-store.js';
import { startTestTables } from '../../helpers/tables.js';

/** Every command the document client sends: its name and the index it used, if any. */
function recordCommands(doc: DynamoDBDocumentClient) {
  const sent: { command: string; index?: string }[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string };
      sent.push({ command: String(context.commandName), index: input.IndexName });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

async function collect(pages: AsyncIterable<StoredAuditRecord[]>): Promise<StoredAuditRecord[]> {
  const out: StoredAuditRecord[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

let t: Awaited<ReturnType<typeof startTestTables>>;
let sent: ReturnType<typeof recordCommands>;
const today = new Date('2026-03-05T12:00:00.000Z');
beforeAll(async () => {
  t = await startTestTables();
  sent = recordCommands(t.doc);
});
afterAll(async () => t.close());
beforeEach(() => {
  sent.length = 0;
});

const outcome = (runId: string, at: string, email: string, extra: Partial<AuditRecord> = {}) =>
  ({ runId, at, kind: 'outcome', email, outcome: 'deleted', attempts: 1, ...extra }) as const;

describe('DynamoAuditLog', () => {
  it('appends records with unique keys and a day partition, and reads a run in time order', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => today });
    const at = '2026-03-01T10:00:00.000Z';
    const records = Array.from({ length: 30 }, (_, i) =>
      outcome('run-a', at, `p${i}@example.com`, { detail: { i, note: 'a, "quoted"\nline' } }),
    );
    const stored = await log.append(records);
    expect(new Set(stored.map((r) => r.sk)).size).toBe(30);
    expect(stored.every((r) => r.day === '2026-03-01' && r.sk.startsWith(`${at}#`))).toBe(true);
    const read = await collect(log.byRun('run-a'));
    expect(read.map((r) => r.sk)).toEqual(stored.map((r) => r.sk).sort());
    expect(read.find((r) => r.email === 'p7@example.com')?.detail).toEqual({
      i: 7,
      note: 'a, "quoted"\nline',
    });
    expect(sent.filter((c) => c.command === 'PutItemCommand')).toHaveLength(30);
    expect(sent.some((c) => c.command === 'ScanCommand')).toBe(false);
  });

  it('refuses a second append with the same key: nothing is overwritten', async () => {
    const fixed = { random: () => '0000', now: () => today };
    const first = new DynamoAuditLog(t.doc, t.names.audit, fixed);
    const second = new DynamoAuditLog(t.doc, t.names.audit, fixed);
    const record = outcome('run-dup', '2026-03-02T00:00:00.000Z', 'a@example.com');
    await first.append([record]);
    const error = await second.append([{ ...record, outcome: 'failed' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditRecordExistsError);
    const rows = await collect(first.byRun('run-dup'));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.outcome).toBe('deleted');
  });

  it('byEmail queries GSI byEmail only: other people and older rows are not returned', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => today });
    await log.append([
      outcome('run-e1', '2026-02-01T00:00:00.000Z', 'Alice@Example.com'),
      outcome('run-e2', '2026-03-01T00:00:00.000Z', 'alice@example.com'),
      outcome('run-e2', '2026-03-01T00:00:01.000Z', 'bob@example.com'),
    ]);
    sent.length = 0;
    const all = await collect(log.byEmail(' ＡＬＩＣＥ@example.com '));
    expect(all.map((r) => r.runId)).toEqual(['run-e1', 'run-e2']);
    expect(all.every((r) => r.email === 'alice@example.com')).toBe(true);
    const recent = await collect(log.byEmail('alice@example.com', '2026-02-15T00:00:00.000Z'));
    expect(recent.map((r) => r.runId)).toEqual(['run-e2']);
    expect(sent).toEqual([
      { command: 'QueryCommand', index: 'byEmail' },
      { command: 'QueryCommand', index: 'byEmail' },
    ]);
  });

  it('byUserId queries GSI byUserId; rows without a user id are not indexed', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => today });
    await log.append([
      { runId: 'run-u', at: '2026-03-03T00:00:00.000Z', kind: 'event', userId: 'u-1' },
      { runId: 'run-u', at: '2026-03-03T00:00:01.000Z', kind: 'event', userId: 'u-2' },
      { runId: 'run-u', at: '2026-03-03T00:00:02.000Z', kind: 'input_error', userId: '' },
    ]);
    sent.length = 0;
    const rows = await collect(log.byUserId('u-1'));
    expect(rows.map((r) => r.userId)).toEqual(['u-1']);
    expect(sent).toEqual([{ command: 'QueryCommand', index: 'byUserId' }]);
    expect((await collect(log.byRun('run-u'))).at(-1)?.userId).toBeUndefined();
  });

  it('since() queries GSI byDay once per day partition up to today', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => today });
    await log.append([
      outcome('run-d', '2026-03-03T23:59:59.000Z', 'x@example.com'),
      outcome('run-d', '2026-03-04T08:00:00.000Z', 'y@example.com'),
      outcome('run-d', '2026-03-05T11:00:00.000Z', 'z@example.com'),
      outcome('run-d', '2026-03-05T13:00:00.000Z', 'future@example.com'),
    ]);
    sent.length = 0;
    const rows = await collect(log.since('2026-03-03T12:00:00.000Z'));
    const days = rows.filter((r) => r.runId === 'run-d').map((r) => r.email);
    expect(days).toEqual(['x@example.com', 'y@example.com', 'z@example.com']);
    expect(sent).toEqual(
      ['2026-03-03', '2026-03-04', '2026-03-05'].map(() => ({
        command: 'QueryCommand',
        index: 'byDay',
      })),
    );
    await expect(collect(log.since('yesterday'))).rejects.toThrow(/ISO/);
  });

  it('pages through more rows than one Query page', async () => {
    const log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => today });
    const big = 'x'.repeat(300_000);
    const records = Array.from({ length: 5 }, (_, i) =>
      outcome('run-big', '2026-03-04T00:00:00.000Z', `q${i}@example.com`, { detail: { big } }),
    );
    await log.append(records);
    sent.length = 0;
    let pages = 0;
    let rows = 0;
    for await (const page of log.byRun('run-big')) {
      pages++;
      rows += page.length;
    }
    expect(rows).toBe(5);
    expect(pages).toBeGreaterThan(1);
  });
});

describe('daysBetween', () => {
  it('lists every day inclusive, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
