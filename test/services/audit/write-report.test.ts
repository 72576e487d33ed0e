import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../services/audit/write-report.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { NotFoundError } from '../../../shared/errors.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { startTestTables } from '../../helpers/tables.js';
import { AWKWARD_PEOPLE, recordCommands, runRows } from './audit-fixtures.js';

const NOW = new Date('2026-11-27T18:00:00.000Z');
let t: Awaited<ReturnType<typeof startTestTables>>;
let stores: Parameters<typeof writeReport>[0];
let dir: string;

beforeAll(async () => {
  t = await startTestTables();
  const audit = new DynamoAuditLog(t.doc, t.names.audit, { now: () => NOW });
  stores = { audit, doc: t.doc, names: t.names };
  dir = await mkdtemp(join(tmpdir(), 'idsync-report-'));
  const plan = runRows('plan-1', 'apply-1', '2026-11-25T10:00:00.000Z', AWKWARD_PEOPLE);
  await audit.append(plan.filter((r) => r.kind === 'decision'));
  const applied = runRows('plan-1', 'apply-1', '2026-11-26T08:00:00.000Z', AWKWARD_PEOPLE);
  await audit.append(applied.filter((r) => r.kind === 'outcome'));
  // Newer, but only an event: not a run a report is about.
  await audit.append([
    {
      runId: 'events-1',
      at: '2026-11-27T09:00:00.000Z',
      kind: 'event',
      outcome: 'unresolved',
      userId: 'u-1',
    },
  ]);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('defaults to the newest run with decisions or outcomes, joins its plan run and writes the page', async () => {
    const sent = recordCommands(t.doc);
    const out = join(dir, 'nested', 'report.html');
    const written = await writeReport(stores, { out, prices: DEFAULT_PRICES, now: NOW });
    expect(written.runId).toBe('apply-1');
    expect(written.path).toBe(out);
    expect(written.counts).toEqual({
      decisions: { delete: 3, protected: 1, not_found: 1 },
      outcomes: { deleted: 1, failed: 1, already_gone: 1 },
      misses: 1,
      failures: 1,
      deleted: 1,
      savingsByRole: [{ role: 'READER', count: 1, price: 3, monthly: 3 }],
      monthlySavings: 3,
      handedOver: 0,
      handedOverByType: {},
    });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<code>plan-1</code>');
    expect(html).toContain('Zoë O&#39;Brien, Jr.');
    const queries = sent.filter((c) => c.command === 'QueryCommand').map((c) => c.index);
    expect(queries).toEqual(['byDay', 'byDay', undefined, undefined]);
    expect(sent.some((c) => /Scan/.test(c.command))).toBe(false);
  });

  it('writes the run asked for, and says when a run has no rows or none is found', async () => {
    const plan = await writeReport(stores, {
      runId: 'plan-1',
      out: join(dir, 'plan.html'),
      prices: DEFAULT_PRICES,
      now: NOW,
    });
    expect(plan.counts.outcomes).toEqual({});
    expect(plan.counts.decisions).toEqual({ delete: 3, protected: 1, not_found: 1 });
    await expect(
      writeReport(stores, { runId: 'nope', out: join(dir, 'x.html'), prices: DEFAULT_PRICES }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      writeReport(stores, {
        out: join(dir, 'y.html'),
        prices: DEFAULT_PRICES,
        now: new Date('2027-03-01T00:00:00Z'),
      }),
    ).rejects.toThrow(/last 30 days/);
  });
});
