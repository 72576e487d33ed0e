import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReport } from '../../../services/cli/commands/report.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { startTestTables } from '../../helpers/tables.js';
import { AWKWARD_PEOPLE, runRows } from '../audit/audit-fixtures.js';
import { cliEnv, runCommand } from '../audit/cli-harness.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
let env: Record<string, string>;
let dir: string;
const report = (...argv: string[]) => runCommand(registerReport, ['report', ...argv], env);

beforeAll(async () => {
  t = await startTestTables('clir');
  env = cliEnv(t.endpoint, 'clir');
  dir = await mkdtemp(join(tmpdir(), 'idsync-cli-report-'));
  const at = new Date(Date.now() - 60_000).toISOString();
  await new DynamoAuditLog(t.doc, t.names.audit).append(
    runRows('run-r', 'run-r', at, AWKWARD_PEOPLE),
  );
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('idsync report', () => {
  it('writes the newest run’s report and prints where, with the counts', async () => {
    const out = join(dir, 'report.html');
    const { code, stdout } = await report('--out', out);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`report of run run-r: ${out}`);
    expect(stdout).toContain('outcomes: 1 deleted, 1 failed, 1 already_gone');
    expect(await readFile(out, 'utf8')).toContain('QuickSight clean-up report');
  });

  it('uses IDSYNC_PRICES for the savings, and --json prints the result', async () => {
    const out = join(dir, 'priced.html');
    const { code, stdout } = await runCommand(
      registerReport,
      ['--json', 'report', '--run', 'run-r', '--out', out],
      {
        ...env,
        IDSYNC_PRICES: 'READER=24',
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      runId: 'run-r',
      path: out,
      counts: { monthlySavings: 24 },
    });
  });

  it('--since sums what the period’s deletions save a month, by role (IDSYNC_PRICES)', async () => {
    const { code, stdout } = await runCommand(
      registerReport,
      ['--json', 'report', '--since', '1d'],
      { ...env, IDSYNC_PRICES: 'READER=2' },
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    // One READER deleted in the fixture run (the others failed, were gone or were kept).
    expect(AWKWARD_PEOPLE.filter((p) => p.outcome === 'deleted')).toHaveLength(1);
    expect(result.savings).toEqual({
      byRole: [{ role: 'READER', count: 1, price: 2, monthly: 2 }],
      seats: 1,
      monthly: 2,
    });
    // The fixture's protected and deferred people keep their seats: the period's cost of them.
    const keptPeople = AWKWARD_PEOPLE.filter((p) => ['protected', 'deferred'].includes(p.decision));
    expect(keptPeople.length).toBeGreaterThan(0);
    expect(result.kept.seats).toBe(keptPeople.length);
    expect(result.downgrades).toEqual({ byPair: [], count: 0, monthly: 0 });
    const text = await report('--since', '1d');
    expect(text.stdout).toMatch(/^savings since \S+: about \$[\d.,]+ a month/);
    expect(text.stdout).toMatch(/needs attention: \d+ seats kept cost \$[\d.,]+ a month/);
    // Nothing in the last minute's future: a period after the rows saves nothing.
    const none = await runCommand(
      registerReport,
      ['--json', 'report', '--since', '2099-01-01'],
      env,
    );
    expect(JSON.parse(none.stdout).savings).toEqual({ byRole: [], seats: 0, monthly: 0 });
    expect((await report('--since', '1d', '--out', join(dir, 'x.html'))).code).toBe(2);
  });

  it('exits 2 without --out, and 1 for a run with no rows', async () => {
    expect((await report()).code).toBe(2);
    const missing = await report('--run', 'nope', '--out', join(dir, 'x.html'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no audit rows for run nope');
  });
});
