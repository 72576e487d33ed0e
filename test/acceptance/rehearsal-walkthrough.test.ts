import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../services/cli/main.js';
import { generateActivity } from '../../services/sandbox/scenarios/activity.js';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import { QuickSightUsers } from '../../shared/aws/quicksight-users.js';
import type { QuickSightUser } from '../../shared/domain.js';
import { type CliRun, REPO_ROOT } from '../reliability/bad-input/cli-command.js';

/**
 * README.md's "Rehearsal walkthrough", run as a reader runs it: the first fenced block between
 * `<!-- rehearsal:start -->` and `<!-- rehearsal:end -->` is shell 1 (the sandbox, started as
 * written, as a process), every other block is shell 2: each `idsync …` line runs as written
 * (the CLI's entry, in-process), with the environment shell 1 printed, in a fresh working folder. The
 * `#>` lines under a command are its expected output (`…` matches anything; each must match a
 * whole line, spaces at either end ignored); `#> [exit N]` is its exit code (default 0).
 */

interface Step {
  readonly argv: string[];
  readonly line: string;
  readonly expect: string[];
  code: number;
}

function readWalkthrough(readme: string): { shell1: string[]; steps: Step[] } {
  const start = readme.indexOf('<!-- rehearsal:start -->');
  const end = readme.indexOf('<!-- rehearsal:end -->');
  if (start < 0 || end < start) throw new Error('README.md has no rehearsal markers');
  const blocks = [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map(
    (m) => m[1] as string,
  );
  const commands = (block: string): Step[] => {
    const steps: Step[] = [];
    for (const raw of block.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('#>')) {
        const last = steps.at(-1);
        if (!last) throw new Error(`expected output before any command: ${line}`);
        const text = line.slice(2).trim();
        const code = /^\[exit (\d+)\]$/.exec(text);
        if (code) last.code = Number(code[1]);
        else last.expect.push(text);
      } else if (line !== '' && !line.startsWith('#')) {
        if (!/^idsync( [\w@.:/=-]+)+$/.test(line))
          throw new Error(`not a plain idsync command line: ${line}`);
        steps.push({ argv: line.split(' ').slice(1), line, expect: [], code: 0 });
      }
    }
    return steps;
  };
  const [first, ...rest] = blocks;
  const shell1 = commands(first ?? '');
  if (shell1.length !== 1) throw new Error('shell 1 must run exactly one command');
  return { shell1: shell1[0]?.argv ?? [], steps: rest.flatMap(commands) };
}

function linePattern(expected: string): RegExp {
  const escaped = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * `idsync ARGV` in shell 2: the CLI's entry (services/cli/main.ts, as bin/idsync.js calls it)
 * in this process, with exactly `env`, its own output streams and `cwd` as the working folder
 * (relative file names resolve there). In-process, as the bad-input corpus runs its cases: a
 * new Node process per command cost 1.5–4 s each on this machine.
 */
async function idsync(
  argv: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stream = (onText: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        onText(String(chunk));
        done();
      },
    });
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runCli(argv, {
      stdout: stream((s) => {
        stdout += s;
      }),
      stderr: stream((s) => {
        stderr += s;
      }),
      env,
    });
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}

/** The `export NAME=value` lines the sandbox prints (values may be single-quoted). */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) {
    const raw = m[2] ?? '';
    env[m[1] as string] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

describe('README rehearsal walkthrough', { timeout: 120_000 }, () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const cwd = mkdtempSync(join(tmpdir(), 'idsync-rehearsal-'));
  let sandbox: ChildProcess | undefined;
  afterAll(async () => {
    if (sandbox && sandbox.exitCode === null) {
      sandbox.kill('SIGINT');
      await new Promise((r) => sandbox?.once('exit', r));
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it('parses: the sandbox in shell 1, idsync commands with their expected lines in shell 2', () => {
    const { shell1, steps } = readWalkthrough(readme);
    expect(shell1).toEqual(['sandbox', '--org', 'small']);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.every((s) => s.expect.length > 0)).toBe(true);
    expect(() => readWalkthrough('no markers')).toThrow(/no rehearsal markers/);
    expect(linePattern('a … b.c').test('a anything b.c')).toBe(true);
    expect(linePattern('a … b.c').test('a anything bxc')).toBe(false);
  });

  it('runs as written: the leaver loses the seat, the mover keeps it, activity makes an idle Reader active', async () => {
    const started = performance.now();
    const { shell1, steps } = readWalkthrough(readme);
    // Shell 1, exactly as written.
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/idsync.js'), ...shell1], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, IDSYNC_LOG_LEVEL: 'warn' },
    });
    sandbox = child;
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (c) => {
        printed += String(c);
        if (printed.includes('Press Ctrl-C')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
    });
    const env: Record<string, string> = { ...parseExports(printed), IDSYNC_LOG_LEVEL: 'warn' };
    // Shell 2, each command as written, in the reader's working folder.
    const outputs = new Map<string, CliRun>();
    for (const step of steps) {
      const run = await idsync(step.argv, env, cwd);
      outputs.set(step.line, run);
      const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim());
      const context = `${step.line}\n${run.stdout}${run.stderr}`;
      expect(run.code, context).toBe(step.code);
      for (const expected of step.expect)
        expect(
          lines.some((l) => linePattern(expected).test(l)),
          `${expected}\nnot in the output of ${context}`,
        ).toBe(true);
    }

    // The outcomes, seen from outside: the QuickSight stand-in's ListUsers.
    const client = new QuickSightClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_QUICKSIGHT,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    const users: QuickSightUser[] = [];
    try {
      const directory = new QuickSightUsers(
        client,
        env.IDSYNC_QUICKSIGHT_ACCOUNT_ID as string,
        env.IDSYNC_QUICKSIGHT_NAMESPACE as string,
      );
      for await (const page of directory.listUsers()) users.push(...page);
    } finally {
      client.destroy();
    }
    const seat = (email: string) =>
      users.filter((u) => u.userName.toLowerCase().endsWith(`/${email}`));
    expect(users.length).toBeGreaterThan(40);
    expect(seat('vera.king@example.com')).toEqual([]); // the leaver's user is deleted
    expect(seat('emma.taylor@example.com').map((u) => u.role)).toEqual(['READER']); // the mover keeps it
    expect(seat('nora.quinn@example.com').map((u) => u.role)).toEqual(['READER']); // the joiner signed in
    expect(readFileSync(join(cwd, 'leaver.html'), 'utf8')).toContain('vera.king@example.com');

    // Valentina was idle in the organisation the sandbox serves (the same seed, 42).
    const org = smallOrg(42);
    const story = generateActivity(org, { now: new Date() }).users;
    const valentina = story.find((u) => u.userName.endsWith('/valentina.taylor@example.com'));
    expect(valentina?.story).toBe('never');
    const inactive = outputs.get('idsync inactive --days 60') as CliRun;
    expect(inactive.stdout).not.toContain('valentina.taylor@example.com');
    const reconcile = outputs.get('idsync reconcile --apply') as CliRun;
    expect(reconcile.stdout).not.toContain('emma.taylor@example.com');
    console.log(
      `rehearsal walkthrough: ${steps.length} commands in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
