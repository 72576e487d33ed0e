import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO, runDemo, wrap } from '../../../services/cli/demo.js';
import { runCli } from '../../../services/cli/main.js';

// The idle-Reader chapter adds ~45 s of paced LookupEvents and deletions; on a loaded 2-core
// machine the whole story took 163 s.
describe('idsync demo', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the whole pipeline on the sandbox: idle Readers pruned, then leavers; guard trips, override deletes, report written', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const report = join(dir, 'report.html');
    // Fewer leavers than the real demo (900) keep the test short; still above the guard's 100.
    const code = await runDemo(
      { stdout: sink, stderr: sink, env: {} },
      { ...DEFAULT_DEMO, report, leavers: 150 },
      runCli,
    );
    expect(code, out).toBe(0);
    // The idle-Reader chapter: ~900 of ~2,200 Readers idle for more than 60 days, pruned.
    expect(out).toMatch(/903 of the 2,203 Readers have not used QuickSight for more than 60 days/);
    expect(out).toMatch(/activity sync: \d+ LookupEvents pages/);
    expect(out).toMatch(
      /idle rule: READER, READER_PRO users with no activity in 60 days: 2,185 judged, 896 idle/,
    );
    expect(out).toMatch(/applied: 895 deleted, 0 already gone/);
    expect(out).toMatch(/895 idle Readers deleted \(0 not idle\)/);
    // The leavers: 150 leave; those already pruned as idle hold no QuickSight user any more.
    expect(out).toMatch(/events: 150 \(150 resolved\)/);
    expect(out).toMatch(/GUARD TRIPPED/);
    expect(out).toMatch(/exit code 3/);
    expect(out).toMatch(/decisions: delete 0, not_found 0, protected 4, deferred 0, blocked 146/);
    expect(out).toMatch(/decisions: delete 89, not_found 57, protected 4/);
    expect(out).toMatch(/applied: 89 deleted, 0 already gone/);
    expect(out).toMatch(/counted 984 deletions,\s+0 of them repeated/);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/<html/i);
  });

  it('wraps narration to the width, continuation lines indented', () => {
    const text = wrap(`▶ ${'word '.repeat(60)}`, 40, '  ');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(
      text
        .split('\n')
        .slice(1)
        .every((l) => l.startsWith('  ')),
    ).toBe(true);
  });
});
