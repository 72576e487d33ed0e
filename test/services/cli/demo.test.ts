import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO, runDemo, wrap } from '../../../services/cli/demo.js';
import { runCli } from '../../../services/cli/main.js';

describe('idsync demo', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the whole pipeline on the sandbox: guard trips, override deletes, report written', async () => {
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
    expect(out).toMatch(/events: 150 \(150 resolved\)/);
    expect(out).toMatch(/GUARD TRIPPED/);
    expect(out).toMatch(/exit code 3/);
    expect(out).toMatch(/decisions: delete 146, not_found 0, protected 4/);
    expect(out).toMatch(/applied: 146 deleted, 0 already gone/);
    expect(out).toMatch(/counted 146 deletions,\s+0 of them repeated/);
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
