import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removeFromGroups } from '../../../services/sandbox/sync-simulator.js';
import { queryPages } from '../../../shared/dynamo/batch.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/** ASCII → full-width (U+FF01..U+FF5E), as typed with a Japanese IME. */
const fullWidth = (s: string) =>
  s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('idsync remove --csv on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-csv-'));
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('plans a dirty CSV: BOM, full-width, spaces, duplicates, bad rows with line numbers, unknown emails', async () => {
    const readers = t.sandbox.org.people.filter(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1,
    );
    const [a, b, c] = readers;
    if (!a || !b || !c) throw new Error('not enough readers');
    // They left their groups (members listed in a CSV: test/services/cli/remove-members.test.ts).
    removeFromGroups(t.sandbox.org, [a.email, b.email, c.email]);
    await snapshotOk(t.sandbox);
    const csv = [
      '\uFEFFname,Email,team',
      `A,${a.email},x`,
      `B,${fullWidth(b.email.toUpperCase())},y`,
      `C,   ${c.email}   ,z`,
      `A again,${a.email.toUpperCase()},x`,
      'Bad,not-an-email,x',
      'Empty,,x',
      'Ghost,ghost.never@example.com,x',
    ].join('\r\n');
    const path = join(dir, 'dirty.csv');
    writeFileSync(path, csv);
    const before = t.sandbox.org.quickSight.size;
    const result = await runCliOn(t.sandbox, ['remove', '--csv', path, '--json']);
    expect(result.code).toBe(4);
    const out = JSON.parse(result.stdout);
    expect(out.csv.duplicates).toBe(1);
    expect(out.csv.errors.map((e: { line: number }) => e.line)).toEqual([6, 7]);
    expect(out.plan.plan.counts).toMatchObject({ delete: 3, not_found: 1 });
    const deleted = out.plan.plan.decisions
      .filter((d: { decision: string }) => d.decision === 'delete')
      .map((d: { email: string }) => d.email)
      .sort();
    expect(deleted).toEqual([a.email, b.email, c.email].sort());
    expect(t.sandbox.org.quickSight.size).toBe(before);
    expect(out.plan.tasks.created).toBe(0);

    const text = await runCliOn(t.sandbox, ['remove', '--csv', path]);
    expect(text.stdout).toMatch(/line 6: not a valid email address/);
    expect(text.stdout).toMatch(/Dry run: nothing deleted/);
  });

  it('a long CSV: bad rows all counted and audited, the first 100 shown, the rest read as a stream', async () => {
    const rows = Array.from({ length: 600 }, (_, i) =>
      i % 5 === 0 ? `bad-row-${i}` : `someone.${i}@example.com`,
    );
    const path = join(dir, 'long.csv');
    writeFileSync(path, ['email', ...rows].join('\n'));
    const result = await runCliOn(t.sandbox, ['remove', '--csv', path, '--json']);
    expect(result.code, result.stderr).toBe(4);
    const out = JSON.parse(result.stdout);
    expect(out.csv).toMatchObject({ people: 480, errorCount: 120, duplicates: 0 });
    expect(out.csv.errors).toHaveLength(100);
    expect(out.csv.errors[99].line).toBe(2 + 99 * 5);
    expect(out.plan.plan.counts.not_found).toBe(480);
    const audit = await t.doc.send(
      new QueryCommand({
        TableName: t.names.audit,
        KeyConditionExpression: 'runId = :r',
        FilterExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': 'kind' },
        ExpressionAttributeValues: { ':r': out.plan.runId, ':k': 'input_error' },
      }),
    );
    expect(audit.Items).toHaveLength(120);
    const text = await runCliOn(t.sandbox, ['remove', '--csv', path]);
    expect(text.stdout).toMatch(/CSV: 480 people, 0 duplicate rows collapsed, 120 bad rows/);
    expect(text.stdout).toMatch(/\.\.\. and 20 more bad rows/);
  });

  it('a CSV of 3,000 people: --json streamed with the layout of one JSON.stringify, one audit row per decision (batched)', async () => {
    const path = join(dir, 'many.csv');
    const emails = Array.from({ length: 3_000 }, (_, i) => `many.${i}@example.com`);
    writeFileSync(path, ['email', ...emails].join('\n'));
    const result = await runCliOn(t.sandbox, ['remove', '--csv', path, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(result.stdout).toBe(`${JSON.stringify(out, null, 2)}\n`);
    expect(out.plan.plan.decisions).toHaveLength(3_000);
    expect(out.plan.plan.counts.not_found).toBe(3_000);
    const rows: Array<{ email?: string; kind: string; sk: string }> = [];
    for await (const page of queryPages<{ email?: string; kind: string; sk: string }>(t.doc, {
      TableName: t.names.audit,
      KeyConditionExpression: 'runId = :r',
      ExpressionAttributeValues: { ':r': out.plan.runId },
    }))
      rows.push(...page);
    const decisions = rows.filter((r) => r.kind === 'decision');
    expect(decisions).toHaveLength(3_000);
    expect(new Set(decisions.map((r) => r.email)).size).toBe(3_000);
    expect(new Set(decisions.map((r) => r.sk)).size).toBe(3_000);
  });

  it('a CSV without an email column is a usage error (exit 2)', async () => {
    const path = join(dir, 'nocolumn.csv');
    writeFileSync(path, 'name,mail\nx,y@example.com\n');
    const result = await runCliOn(t.sandbox, ['remove', '--csv', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/email/);
    expect((await runCliOn(t.sandbox, ['remove'])).code).toBe(2);
  });
});
