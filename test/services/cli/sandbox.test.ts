import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;

/** Parses the `export NAME=value` lines the sandbox prints (values may be single-quoted). */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) {
    const raw = m[2] ?? '';
    env[m[1] as string] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

describe('idsync sandbox', { timeout: 120_000 }, () => {
  it('prints an environment a second shell can use, serves only on 127.0.0.1, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['bin/idsync.js', 'sandbox', '--org', 'small'], {
      cwd: root,
      env: { ...process.env, IDSYNC_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        stdout += String(c);
        if (stdout.includes('Press Ctrl-C')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
    });
    const env = parseExports(stdout);
    for (const name of [
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_QUICKSIGHT',
      'AWS_ENDPOINT_URL_IDENTITYSTORE',
      'AWS_ENDPOINT_URL_CLOUDTRAIL',
      'IDSYNC_GOOGLE_ROOT_URL',
    ]) {
      expect(new URL(env[name] as string).hostname).toBe('127.0.0.1');
    }
    // The "second shell": a separate process with only the printed environment.
    const second = await promisify(execFile)(process.execPath, ['bin/idsync.js', 'snapshot'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env, IDSYNC_LOG_LEVEL: 'warn' },
    });
    expect(second.stdout).toMatch(/COMPLETE/);
    // Faults and a DynamoDB outage, set from that second shell while the sandbox runs.
    expect(new URL(env.IDSYNC_SANDBOX_CONTROL as string).hostname).toBe('127.0.0.1');
    const idsync = (...argv: string[]) =>
      promisify(execFile)(process.execPath, ['bin/idsync.js', ...argv], {
        cwd: root,
        env: { PATH: process.env.PATH, ...env, IDSYNC_LOG_LEVEL: 'warn' },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const fault = await idsync('sandbox', 'fault', 'qs.errorRate=1');
    expect(fault.stdout).toMatch(/quicksight +errorRate=1/);
    expect((await idsync('sandbox', 'fault', 'qs=off')).stdout).toMatch(/quicksight +no faults/);
    expect((await idsync('sandbox', 'dynamodb', 'stop')).stdout).toMatch(/STOPPED/);
    const down = await idsync('resolve', 'abc');
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(
      /^idsync: DynamoDB at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)\n$/,
    );
    expect((await idsync('sandbox', 'dynamodb', 'start')).code).toBe(0);
    // The tables (and their rows) are still there.
    expect((await idsync('init-tables')).stdout).toMatch(/^exists +idsync-audit$/m);
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).toContain('sandbox stopped');
  });
});
