import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../services/cli/main.js';

/**
 * The command line's surface: --version, global options in every command's help, errors as JSON
 * with --json, missing AWS credentials or region as configuration errors (exit 2), and the
 * built bin (dist/, made by vitest's globalSetup or `npm ci`) running without tsx.
 */

const ROOT = new URL('../../..', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string })
  .version;

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(argv: string[], env: Record<string, string> = {}) {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The built bin in a clean environment: no AWS variables, no profile, no instance metadata. */
async function bin(argv: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['bin/idsync.js', ...argv],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: '/nonexistent-idsync-home',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('idsync command line surface', () => {
  it('prints its version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await run([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(VERSION);
    }
  });

  it("shows the global options in every command's help", async () => {
    const { stdout: top } = await run(['--help']);
    const commands = [...top.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)]
      .map((m) => m[1] as string)
      .filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(12);
    for (const command of commands) {
      const { code, stdout } = await run([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout, command).toMatch(/Global Options:[\s\S]*--json/);
    }
  });

  it('prints errors as one JSON line on stderr with --json, text without', async () => {
    const usage = await run(['plan', '--json', '--nope']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { name: 'UsageError', message: "unknown option '--nope'", exitCode: 2 },
    });
    const config = await run(['--json', 'init-tables'], { IDSYNC_RATE: 'abc' });
    expect(config.code).toBe(2);
    const parsed = JSON.parse(config.stderr) as { error: { name: string; message: string } };
    expect(parsed.error.name).toBe('ConfigError');
    expect(parsed.error.message).toMatch(/^IDSYNC_RATE: /);
    const text = await run(['init-tables'], { IDSYNC_RATE: 'abc' });
    expect(text.stderr).toMatch(/^idsync: IDSYNC_RATE: /);
  });

  it('missing AWS credentials are a configuration error (exit 2) with a one-line hint', async () => {
    const { code, stderr } = await bin(['resolve', 'u-1'], {
      AWS_REGION: 'eu-west-1',
      // Never reached: the SDK looks for credentials before it connects.
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^idsync: .*no AWS credentials found \(set AWS_PROFILE/);
  });

  it('takes the region and credentials from the profile, and says so when there is no region', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idsync-profile-'));
    writeFileSync(
      join(dir, 'config'),
      '[profile ops]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n',
    );
    const viaProfile = await bin(['--json', 'resolve', 'u-1'], {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_PROFILE: 'ops',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    });
    rmSync(dir, { recursive: true, force: true });
    // Region and credentials resolved: the call went out and found nobody listening.
    expect(JSON.parse(viaProfile.stderr).error.message).toMatch(/ECONNREFUSED/);
    const none = await bin(['--json', 'resolve', 'u-1'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stderr).error).toMatchObject({ name: 'ConfigError', exitCode: 2 });
    expect(JSON.parse(none.stderr).error.message).toMatch(/^AWS_REGION: no AWS region found/);
  });

  it('runs the built JavaScript: no tsx, no TypeScript at run time', async () => {
    const { code, stdout } = await bin(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
    const entry = readFileSync(`${ROOT}bin/idsync.js`, 'utf8');
    expect(entry).not.toMatch(/tsx|\.ts['"]/);
    expect(entry).toContain('../dist/cli.js');
    const built = readFileSync(`${ROOT}dist/cli.js`, 'utf8');
    expect(built).not.toMatch(/from\s*"(tsx|[^"]*\.ts)"/);
  });
});
