import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/** `reconcile --report FILE` writes the run's report in a dry run too: what would be deleted. */

describe('idsync reconcile --report in a dry run', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir = '';
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    dir = await mkdtemp(join(tmpdir(), 'idsync-reconcile-report-'));
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('writes the report, saying it was a dry run and nothing was deleted', async () => {
    const org = t.sandbox.org;
    const { leavers } = removePeople(org, { count: 3 });
    const before = org.quickSight.size;
    const out = join(dir, 'dry.html');
    const result = await runCliOn(t.sandbox, ['reconcile', '--report', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing queued or deleted');
    expect(result.stdout).toContain(`report: ${out}`);
    expect(org.quickSight.size).toBe(before);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(
      /idsync ran a dry run: nothing was deleted\. It would remove \d+ QuickSight users? of 3 people who left the Google groups/,
    );
    for (const email of leavers.emails) expect(html).toContain(email);
    expect(html).toContain('data-status="planned"');
    expect(html).not.toContain('data-status="deleted"');

    // With --json the report's path is not printed, but the file is written all the same.
    const jsonOut = join(dir, 'dry-json.html');
    const asJson = await runCliOn(t.sandbox, ['reconcile', '--json', '--report', jsonOut]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout).dryRun).toBe(true);
    expect(await readFile(jsonOut, 'utf8')).toContain('idsync ran a dry run');
  });

  it('a guard-tripped run writes its report too (nothing deleted)', async () => {
    const out = join(dir, 'guard.html');
    const result = await runCliOn(t.sandbox, ['reconcile', '--report', out], {
      IDSYNC_MAX_DELETIONS: '1',
    });
    expect(result.code).toBe(3);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('the safety guard stopped idsync before it deleted anything');
    expect(html).toContain('This was a dry run (no --apply).');
  });
});
