import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * The built CLI (bin/idsync.js, dist/) under a pseudo-terminal (util-linux `script`), against the sandbox's demo
 * org: on a terminal a person sees the result, not the logs (IDSYNC_LOG_LEVEL unset means `warn`
 * there); asked for logs, they come.
 */

const run = promisify(execFile);
const ROOT = new URL('../../..', import.meta.url).pathname;
const SCRIPT = '/usr/bin/script';
/** Terminal control sequences (colour, clear line, cursor). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** Runs `node bin/idsync.js ARGS` (dist/) on a pseudo-terminal; its output as the terminal showed it. */
async function onTerminal(args: string, env: Record<string, string> = {}) {
  const { IDSYNC_LOG_LEVEL: _unset, ...base } = t.sandbox.env;
  const out = await run(SCRIPT, ['-qec', `node ${ROOT}bin/idsync.js ${args}`, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...base, ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout?: string; code?: number }) => ({ stdout: e.stdout ?? '', code: e.code }));
  // Lines a person reads: progress lines redrawn in place (\r … \x1b[2K) leave nothing behind.
  const text = out.stdout
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1).replace(ANSI, ''))
    .join('\n')
    .trimEnd();
  return { text, lines: text === '' ? 0 : text.split('\n').length };
}

describe('the CLI on a terminal', { timeout: 120_000 }, () => {
  it('reconcile prints only its result (no log lines) in at most 20 lines', async () => {
    expect(existsSync(SCRIPT)).toBe(true);
    const { text, lines } = await onTerminal('reconcile');
    expect(text).toMatch(/snapshot \S+: COMPLETE/);
    expect(text).toMatch(/decisions: delete \d+/);
    expect(text).toMatch(/Dry run: nothing queued or deleted/);
    // pino-pretty's lines start with a time and a level: none at the terminal's default.
    expect(text).not.toMatch(/\bINFO\b|\bDEBUG\b/);
    expect(lines, text).toBeLessThanOrEqual(20);
  });

  it('shows the logs when IDSYNC_LOG_LEVEL asks for them', async () => {
    const { text } = await onTerminal('snapshot', { IDSYNC_LOG_LEVEL: 'info' });
    expect(text).toMatch(/snapshot \S+: COMPLETE/);
    expect(text).toMatch(/\bINFO\b/);
  });
});
