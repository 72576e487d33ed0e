import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoverChapter } from '../../../services/cli/demo-handover.js';
import type { DemoRun } from '../../../services/cli/demo-idle.js';
import { runCli } from '../../../services/cli/main.js';
import { mixedOrg } from '../../../services/sandbox/scenarios/mixed.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * The demo's handover chapter alone, on the small mixed world: two leaving Authors deferred and
 * flagged with their cost while no successor is set, then handed over and deleted once one is.
 */

describe('the demo handover chapter', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: mixedOrg() });
    await snapshotOk(t.sandbox);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('defers and flags Authors without a successor, then hands over and deletes them', async () => {
    let out = '';
    const run: DemoRun = async (argv, env) => {
      let stdout = '';
      const sink = new Writable({
        write(chunk, _enc, done) {
          stdout += String(chunk);
          done();
        },
      });
      const code = await runCli(argv, { stdout: sink, stderr: sink, env });
      out += stdout;
      return { code, stdout };
    };
    const said: string[] = [];
    const env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent' };
    const result = await handoverChapter(
      t.sandbox,
      env,
      run,
      (s) => said.push(s),
      (s) => said.push(s),
    );
    expect(result.code, out).toBe(0);
    expect(result.authors).toHaveLength(2);
    // Without a successor: each Author deferred, under "Needs attention" with the seat's cost.
    expect(result.deferredLines).toHaveLength(2);
    for (const line of result.deferredLines)
      expect(line).toMatch(
        /\[AUTHOR\]\s+deferred: owns .*set IDSYNC_ASSET_SUCCESSOR\s+\(\$24\/month\)/,
      );
    // With one: every asset they owned alone is the successor's, each Author deleted once.
    const qs = t.sandbox.org.quickSight;
    // The chapter's 6 assets, and what the mixed world's Authors already owned alone.
    expect(result.assets).toBeGreaterThanOrEqual(6);
    expect(result.successorOwns).toBe(result.assets);
    // Every asset keeps a living owner: the chapter's, and the dashboard the mixed world's two
    // leaving Authors co-own with nobody else (neither owns it alone; the second hands it over).
    expect(qs.assets.orphaned().map((a) => `${a.type}/${a.id}`)).toEqual([]);
    for (const name of result.authors) expect(qs.deletes.get(name)).toBe(1);
    expect(said.join(' ')).toMatch(/owns (\d+) of the \1 assets; \d+ assets without an owner/);
  });
});
