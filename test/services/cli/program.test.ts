import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../services/cli/main.js';
import { TABLES } from '../../../shared/tables.js';
import { startTestDynamo } from '../../helpers/dynamo.js';

const DESIGN_COMMANDS = [
  'init-tables',
  'snapshot',
  'plan',
  'apply',
  'reconcile',
  'handle-event',
  'resolve',
  'remove',
  'activity',
  'audit',
  'report',
  'sandbox',
  'demo',
];

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

describe('idsync CLI', () => {
  it('lists every command of the README in --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of DESIGN_COMMANDS)
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('exits 2 with a one-line message naming IDSYNC_RATE when it is invalid', async () => {
    const { code, stderr } = await run(['init-tables'], { IDSYNC_RATE: 'abc' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('IDSYNC_RATE');
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['init-tables', '--nope'])).code).toBe(2);
  });

  describe('init-tables', () => {
    let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;
    let env: Record<string, string>;
    beforeAll(async () => {
      dynamo = await startTestDynamo();
      env = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.server.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        IDSYNC_TABLE_PREFIX: 'cli',
      };
    });
    afterAll(async () => dynamo.close());

    it('creates the tables at AWS_ENDPOINT_URL_DYNAMODB, then changes nothing', async () => {
      const first = await run(['init-tables', '--json'], env);
      expect(first.code).toBe(0);
      const created = JSON.parse(first.stdout) as {
        tables: Array<{ name: string; action: string }>;
      };
      expect(created.tables).toHaveLength(TABLES.length);
      expect(created.tables.every((t) => t.action === 'created')).toBe(true);
      const second = await run(['init-tables'], env);
      expect(second.code).toBe(0);
      expect(second.stdout.match(/^exists +cli-/gm)).toHaveLength(TABLES.length);
    });
  });

  it('runs as a bin from the package (npx idsync --help), built JavaScript, no tsx', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/idsync.js', '--help'], {
      cwd: new URL('../../..', import.meta.url).pathname,
    });
    for (const command of DESIGN_COMMANDS) expect(stdout).toContain(command);
  });
});
