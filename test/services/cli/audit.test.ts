import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAudit } from '../../../services/cli/commands/audit.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { startTestTables } from '../../helpers/tables.js';
import { AWKWARD_PEOPLE, runRows } from '../audit/audit-fixtures.js';
import { cliEnv, runCommand } from '../audit/cli-harness.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
let env: Record<string, string>;
let dir: string;
const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
const audit = (...argv: string[]) => runCommand(registerAudit, ['audit', ...argv], env);

beforeAll(async () => {
  t = await startTestTables('clia');
  env = cliEnv(t.endpoint, 'clia');
  dir = await mkdtemp(join(tmpdir(), 'idsync-cli-audit-'));
  await new DynamoAuditLog(t.doc, t.names.audit).append(
    runRows('run-cli', 'run-cli', hourAgo, AWKWARD_PEOPLE),
  );
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('idsync audit', () => {
  it('--run --format csv writes CSV to stdout (no BOM there)', async () => {
    const { code, stdout } = await audit('--run', 'run-cli', '--format', 'csv');
    expect(code).toBe(0);
    expect(stdout.startsWith('at,runId,kind,email,')).toBe(true);
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r.userName)).toContain(
      "AWSReservedSSO_QuickSightReader_0123/Zoë O'Brien, Jr.",
    );
  });

  it('--email --out FILE.csv writes a BOM file and prints what it wrote', async () => {
    const out = join(dir, 'zoe.csv');
    const { code, stdout } = await audit('--email', 'Zoe.OBrien@example.com', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote 2 audit rows (email zoe.obrien@example.com) as csv to ${out}\n`);
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parse(bytes, { bom: true, columns: true })).toHaveLength(2);
  });

  it('--since 2h prints a table by default; --json prints a JSON array', async () => {
    const table = await audit('--since', '2h');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^at \(UTC\) +run +kind/);
    expect(table.stdout).toContain('(8 rows)');
    const json = await audit('--since', '2h', '--json');
    expect(JSON.parse(json.stdout)).toHaveLength(8);
  });

  it('without a filter exports the newest run and says so on stderr', async () => {
    const { code, stdout, stderr } = await audit('--format', 'jsonl');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(8);
    expect(stderr).toBe('idsync audit: newest run run-cli (no filter given)\n');
  });

  it('exits 2 naming the flag on a bad --since or --format', async () => {
    const since = await audit('--since', 'last tuesday');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since "last tuesday"');
    const format = await audit('--run', 'run-cli', '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format "xml"');
  });
});
