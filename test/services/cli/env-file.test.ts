import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envFileArgument,
  readEnvFile,
  unknownNames,
  withEnvFile,
} from '../../../services/cli/env-file.js';
import { runCli } from '../../../services/cli/main.js';

/**
 * A first hour without friction: every configuration problem at once, `--env-file FILE` (the real
 * environment wins), and an unreachable service ending with its own exit code (5).
 */

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (onText: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        onText(String(chunk));
        done();
      },
    });
  const code = await runCli(argv, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env,
  });
  return { code, stdout, stderr };
}

/** The real process, started the way an operator starts it: the bin file itself (its shebang). */
function spawnBin(argv: string[], env: Record<string, string>) {
  const root = new URL('../../..', import.meta.url).pathname;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      join(root, 'bin/idsync.js'),
      argv,
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A TCP port nothing listens on (opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idsync-env-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('env-file (pure parts)', () => {
  it('finds --env-file FILE or --env-file=FILE before `--`', () => {
    expect(envFileArgument(['--env-file', 'a.env', 'snapshot'])).toBe('a.env');
    expect(envFileArgument(['snapshot', '--env-file=b.env'])).toBe('b.env');
    expect(envFileArgument(['resolve', '--', '--env-file', 'c.env'])).toBeUndefined();
    expect(envFileArgument(['snapshot'])).toBeUndefined();
    expect(envFileArgument(['--env-file'])).toBeUndefined();
  });

  it("reads Node's format: comments, quotes, export prefixes", () => {
    const file = join(dir, 'format.env');
    writeFileSync(
      file,
      '# a comment\nexport IDSYNC_RATE=5\nIDSYNC_GOOGLE_SUBJECT="admin@example.com"\n' +
        "IDSYNC_TABLE_PREFIX='x y'\nIDSYNC_LOG_LEVEL=warn # trailing\n",
    );
    expect(readEnvFile(file)).toEqual({
      IDSYNC_RATE: '5',
      IDSYNC_GOOGLE_SUBJECT: 'admin@example.com',
      IDSYNC_TABLE_PREFIX: 'x y',
      IDSYNC_LOG_LEVEL: 'warn',
    });
  });

  it('the real environment wins; unset or blank there takes the file value', () => {
    const merged = withEnvFile(
      { IDSYNC_RATE: '5', IDSYNC_CONCURRENCY: ' ', OTHER: 'o' },
      { IDSYNC_RATE: '9', IDSYNC_CONCURRENCY: '4', IDSYNC_LEASE_SECONDS: '30' },
    );
    expect(merged).toEqual({
      IDSYNC_RATE: '5',
      IDSYNC_CONCURRENCY: '4',
      IDSYNC_LEASE_SECONDS: '30',
      OTHER: 'o',
    });
    expect(unknownNames({ AWS_PROFILE: 'p', IDSYNC_RATE: '1' }, new Set(['IDSYNC_RATE']))).toEqual([
      'AWS_PROFILE',
    ]);
  });
});

describe('idsync with bad configuration and --env-file', { timeout: 60_000 }, () => {
  it('reports several bad and missing variables in one run, one a line (exit 2)', async () => {
    const result = await run(['snapshot'], {
      IDSYNC_RATE: 'fast',
      IDSYNC_CONCURRENCY: '0',
      AWS_REGION: 'moon',
      IDSYNC_GOOGLE_SUBJECT: 'admin',
    });
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^idsync: \d+ configuration problems:$/);
    for (const fragment of [
      'IDSYNC_RATE: must be a plain decimal number',
      'IDSYNC_CONCURRENCY: must be from 1 to 256',
      'AWS_REGION: must be an AWS region',
      'IDSYNC_GOOGLE_SUBJECT: must be an email address',
      'IDSYNC_GOOGLE_GROUPS: is required',
      'IDSYNC_GOOGLE_CREDENTIALS: is required',
      'IDSYNC_IDENTITY_STORE_ID: is required',
      'IDSYNC_QUICKSIGHT_ACCOUNT_ID: is required',
    ])
      expect(
        lines.some((l) => l.startsWith(`  ${fragment}`)),
        fragment,
      ).toBe(true);
    expect(lines.length).toBe(9);
  });

  it('--json lists the problems too', async () => {
    const result = await run(['--json', 'resolve', 'x'], {
      IDSYNC_RATE: '0',
      IDSYNC_LEASE_SECONDS: '1',
    });
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stderr);
    expect(error.name).toBe('ConfigError');
    expect(error.exitCode).toBe(2);
    expect(error.problems.map((p: { variable: string }) => p.variable)).toEqual([
      'IDSYNC_RATE',
      'IDSYNC_LEASE_SECONDS',
    ]);
  });

  it('takes variables from --env-file; the real environment wins over the file', async () => {
    const file = join(dir, 'idsync.env');
    writeFileSync(file, 'IDSYNC_RATE=fast\nIDSYNC_CONCURRENCY=0\nIDSYNC_TABLE_PREFIX=from-file\n');
    const fileOnly = await run(['--env-file', file, 'resolve', 'x']);
    expect(fileOnly.code).toBe(2);
    expect(fileOnly.stderr).toContain('IDSYNC_RATE: must be a plain decimal number');
    expect(fileOnly.stderr).toContain('IDSYNC_CONCURRENCY: must be from 1 to 256');
    // The environment's good IDSYNC_RATE wins over the file's bad one; the file still fills the rest.
    const envWins = await run(['resolve', 'x', `--env-file=${file}`], { IDSYNC_RATE: '5' });
    expect(envWins.code).toBe(2);
    expect(envWins.stderr).not.toContain('IDSYNC_RATE');
    expect(envWins.stderr).toBe('idsync: IDSYNC_CONCURRENCY: must be from 1 to 256 (got "0")\n');
  });

  it('names variables of the file idsync does not read, never their values', async () => {
    const file = join(dir, 'extra.env');
    writeFileSync(file, 'IDSYNC_RATE=0\nAWS_PROFILE=prod-secret-profile\nIDSYNC_GOOGLE_GROUP=x\n');
    const result = await run(['--env-file', file, 'resolve', 'x']);
    expect(result.stderr).toContain('not idsync variables');
    expect(result.stderr).toContain('AWS_PROFILE, IDSYNC_GOOGLE_GROUP');
    expect(result.stderr).not.toContain('prod-secret-profile');
  });

  it('never prints secret values read from the file', async () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(
      file,
      'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI-secret\nAWS_SESSION_TOKEN=tok-secret\nIDSYNC_GOOGLE_CREDENTIALS=/keys/secret.json\nIDSYNC_RATE=0\n',
    );
    const result = await run(['--env-file', file, '--json', 'snapshot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AWS_ACCESS_KEY_ID: must be set together with its pair');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/secret/);
  });

  it('a missing, a folder or an unreadable env file is exit 2 naming it', async () => {
    const missing = join(dir, 'nope.env');
    const a = await run(['--env-file', missing, 'resolve', 'x']);
    expect(a).toMatchObject({ code: 2 });
    expect(a.stderr).toBe(`idsync: --env-file ${missing}: cannot read it (no such file)\n`);
    const b = await run(['--env-file', dir, 'resolve', 'x']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`--env-file ${dir}: cannot read it`);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.env');
      writeFileSync(locked, 'IDSYNC_RATE=1\n');
      chmodSync(locked, 0o000);
      const c = await run(['--env-file', locked, 'resolve', 'x']);
      expect(c.code).toBe(2);
      expect(c.stderr).toContain('permission denied');
    }
  });

  it('the real bin reports a missing env file itself (exit 2), not node (exit 9)', async () => {
    const missing = join(dir, 'missing.env');
    const result = await spawnBin(['--env-file', missing, 'resolve', 'x'], {});
    expect(result.stderr).toBe(`idsync: --env-file ${missing}: cannot read it (no such file)\n`);
    expect(result.code).toBe(2);
  });

  it('--help lists --env-file', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--env-file <file>');
  });
});

describe('an unreachable service exits 5, naming the service', { timeout: 60_000 }, () => {
  it('DynamoDB on a closed port', async () => {
    const port = await closedPort();
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      IDSYNC_LOG_LEVEL: 'silent',
    };
    const result = await run(['resolve', '0123456789-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'], env);
    expect(result.stderr).toBe(
      `idsync: DynamoDB at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)\n`,
    );
    expect(result.code).toBe(5);
    const json = await run(['--json', 'init-tables'], env);
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stderr).error).toMatchObject({
      name: 'ServiceUnreachableError',
      exitCode: 5,
    });
  });
});
