import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditFormat } from '../../../services/audit/audit-format.js';
import type { AuditFilters } from '../../../services/audit/audit-query.js';
import { runAudit } from '../../../services/audit/run-audit.js';
import { DynamoAuditLog, type StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { startTestTables } from '../../helpers/tables.js';
import { AWKWARD_PEOPLE, recordCommands, runRows } from './audit-fixtures.js';

const NOW = new Date('2026-11-27T18:00:00.000Z');
let t: Awaited<ReturnType<typeof startTestTables>>;
let log: DynamoAuditLog;
let sent: ReturnType<typeof recordCommands>;
let dir: string;

const eventRow = (runId: string, at: string, userId: string, email?: string) => ({
  runId,
  at,
  kind: 'event' as const,
  outcome: email ? 'resolved' : 'unresolved',
  reason: `DeleteUser of IdC user ${userId}`,
  userId,
  ...(email ? { email } : {}),
});

beforeAll(async () => {
  t = await startTestTables();
  log = new DynamoAuditLog(t.doc, t.names.audit, { now: () => NOW });
  dir = await mkdtemp(join(tmpdir(), 'idsync-audit-'));
  const filler = Array.from({ length: 40 }, (_, i) => ({
    email: `filler${i}@example.com`,
    userName: `reader/filler${i}`,
    decision: 'delete' as const,
    outcome: 'deleted' as const,
  }));
  await log.append([
    ...runRows('run-old', 'run-old', '2026-11-20T09:00:00.000Z', [...AWKWARD_PEOPLE, ...filler]),
    eventRow('run-old', '2026-11-20T08:59:00.000Z', 'u-zoe', 'zoe.obrien@example.com'),
    ...runRows(
      'run-plan',
      'run-apply',
      '2026-11-26T10:00:00.000Z',
      AWKWARD_PEOPLE.slice(0, 2),
    ).filter((r) => r.kind === 'decision'),
    eventRow('run-plan', '2026-11-26T09:59:00.000Z', 'u-zoe', 'zoe.obrien@example.com'),
    eventRow('run-plan', '2026-11-26T09:59:30.000Z', 'u-unknown'),
  ]);
  // The apply run's outcomes land a day later than its plan.
  const late = runRows(
    'run-plan',
    'run-apply',
    '2026-11-27T07:00:00.000Z',
    AWKWARD_PEOPLE.slice(0, 2),
  );
  await log.append(late.filter((r) => r.kind === 'outcome'));
  sent = recordCommands(t.doc);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sent.length = 0;
});

async function exportJson(filters: AuditFilters) {
  let text = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const result = await runAudit(
    { audit: log, doc: t.doc, auditTable: t.names.audit },
    { filters, format: 'json', stdout, now: NOW },
  );
  return { result, rows: JSON.parse(text) as StoredAuditRecord[] };
}

const queries = () => sent.filter((c) => c.command === 'QueryCommand');
const noScan = () => expect(sent.some((c) => /Scan/.test(c.command))).toBe(false);

describe('runAudit', () => {
  it('--run reads the table key only (no index), in time order', async () => {
    const { result, rows } = await exportJson({ runId: 'run-old' });
    expect(result).toMatchObject({ path: 'table', rows: rows.length });
    expect(rows).toHaveLength(2 * 40 + 3 + 5 + 1);
    expect(rows.every((r) => r.runId === 'run-old')).toBe(true);
    expect(rows.map((r) => r.sk)).toEqual(rows.map((r) => r.sk).sort());
    expect(queries().length).toBeGreaterThan(0);
    expect(queries().every((q) => q.index === undefined)).toBe(true);
    noScan();
  });

  it('--email queries GSI byEmail (normalised), across runs', async () => {
    const { result, rows } = await exportJson({ email: '  ZOE.OBrien@Example.com ' });
    expect(result.path).toBe('byEmail');
    expect(new Set(rows.map((r) => r.runId))).toEqual(
      new Set(['run-old', 'run-plan', 'run-apply']),
    );
    expect(rows.every((r) => r.email === 'zoe.obrien@example.com')).toBe(true);
    expect(queries().map((q) => q.index)).toEqual(['byEmail']);
    noScan();
  });

  it('--user-id queries GSI byUserId', async () => {
    const { result, rows } = await exportJson({ userId: 'u-zoe' });
    expect(result.path).toBe('byUserId');
    expect(rows.map((r) => r.runId)).toEqual(['run-old', 'run-plan']);
    expect(queries().map((q) => q.index)).toEqual(['byUserId']);
    noScan();
  });

  it('--since queries GSI byDay, one partition per day up to now', async () => {
    const { result, rows } = await exportJson({ since: '2026-11-26T00:00:00.000Z' });
    expect(result.path).toBe('byDay');
    expect(new Set(rows.map((r) => r.runId))).toEqual(new Set(['run-plan', 'run-apply']));
    expect(rows.every((r) => r.at >= '2026-11-26')).toBe(true);
    expect(queries().map((q) => q.index)).toEqual(['byDay', 'byDay']);
    noScan();
  });

  it('combined filters query the most selective key and check the rest in memory', async () => {
    const byRunAndEmail = await exportJson({ runId: 'run-apply', email: 'yamada@example.jp' });
    expect(byRunAndEmail.result.path).toBe('byEmail');
    expect(byRunAndEmail.rows.map((r) => [r.runId, r.outcome])).toEqual([['run-apply', 'failed']]);
    sent.length = 0;
    const byEmailSince = await exportJson({
      email: 'yamada@example.jp',
      since: '2026-11-26T10:00:00.000Z',
    });
    expect(byEmailSince.rows.map((r) => r.runId)).toEqual(['run-plan', 'run-apply']);
    expect(queries().map((q) => q.index)).toEqual(['byEmail']);
    sent.length = 0;
    const byRunSince = await exportJson({ runId: 'run-plan', since: '2026-11-26T09:59:15.000Z' });
    expect(byRunSince.result.path).toBe('table');
    expect(byRunSince.rows.map((r) => r.kind)).toEqual(['event', 'decision', 'decision']);
    noScan();
  });

  it('without a filter exports the newest run, found through byDay newest first', async () => {
    const { result, rows } = await exportJson({});
    expect(result.newestRunId).toBe('run-apply');
    expect(rows.map((r) => r.outcome)).toEqual(['deleted', 'failed']);
    expect(queries().map((q) => q.index)).toEqual(['byDay', undefined]);
    noScan();
  });

  it('without a filter and no run in the days looked at, writes an empty export and says so', async () => {
    const empty = await runAudit(
      { audit: log, doc: t.doc, auditTable: t.names.audit },
      {
        filters: {},
        format: 'json',
        out: join(dir, 'none.json'),
        now: new Date('2027-06-01T00:00:00Z'),
      },
    );
    expect(empty).toMatchObject({ rows: 0, noRunFound: true });
    expect(JSON.parse(await readFile(join(dir, 'none.json'), 'utf8'))).toEqual([]);
    expect(queries().every((q) => q.index === 'byDay')).toBe(true);
  });

  it('--out *.csv writes a UTF-8 BOM and a CSV that csv-parse reads back', async () => {
    const out = join(dir, 'run.csv');
    const result = await runAudit(
      { audit: log, doc: t.doc, auditTable: t.names.audit },
      { filters: { runId: 'run-old' }, format: 'csv' as AuditFormat, out, now: NOW },
    );
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const parsed = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(parsed).toHaveLength(result.rows);
    const names = parsed.map((p) => p.userName);
    expect(names).toContain("AWSReservedSSO_QuickSightReader_0123/Zoë O'Brien, Jr.");
    expect(names).toContain('AWSReservedSSO_QuickSightReader_0123/山田 太郎');
    expect(parsed.find((p) => p.outcome === 'failed')?.reason).toBe('line1\nline2');
    expect(JSON.parse(parsed.find((p) => p.outcome === 'failed')?.detail ?? '{}').error).toBe(
      'ThrottlingException: Rate exceeded, "try later"',
    );
  });
});
