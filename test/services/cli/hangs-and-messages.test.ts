import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removeFromGroups } from '../../../services/sandbox/sync-simulator.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Reproductions of hangs, hidden results and unclear messages, run
 * through the CLI on the sandbox: each failed before (a hang, a hidden summary, a raw error)
 * and holds now.
 */

const seconds = async <T>(fn: () => Promise<T>) => {
  const start = performance.now();
  const value = await fn();
  return { value, s: (performance.now() - start) / 1000 };
};

describe('hangs and hidden results', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-edges-'));
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('a stalled QuickSight fails the read at the request timeout instead of hanging', async () => {
    t.sandbox.quickSight.faults.configure({ latencyMs: 5_000 });
    try {
      const { value, s } = await seconds(() =>
        runCliOn(t.sandbox, ['snapshot'], { IDSYNC_REQUEST_TIMEOUT_SECONDS: '0.2' }),
      );
      expect(value.code).toBe(3);
      expect(value.stdout).toMatch(
        /QuickSight at http:\/\/127\.0\.0\.1:\d+ did not answer in time/,
      );
      // 6 attempts of 0.2 s plus capped, jittered backoff: well under the 6 × 5 s a stall costs.
      expect(s).toBeLessThan(20);
    } finally {
      t.sandbox.quickSight.faults.configure({});
    }
  });

  it('a QuickSight that stalls during apply is cut at the timeout and retried: the run ends', async () => {
    const leaver = t.sandbox.org.people.filter(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1,
    )[5];
    if (!leaver) throw new Error('no reader');
    removeFromGroups(t.sandbox.org, [leaver.email]);
    await snapshotOk(t.sandbox);
    const csv = join(dir, 'stall.csv');
    writeFileSync(csv, `email\n${leaver.email}\n`);
    // Every QuickSight call now waits a minute; the stall clears one second into the run.
    t.sandbox.quickSight.faults.configure({ latencyMs: 60_000 });
    const clear = setTimeout(() => t.sandbox.quickSight.faults.configure({}), 1_000);
    try {
      const { value, s } = await seconds(() =>
        runCliOn(t.sandbox, ['remove', '--csv', csv, '--apply'], {
          IDSYNC_REQUEST_TIMEOUT_SECONDS: '0.3',
        }),
      );
      expect(value.stdout).toMatch(/applied: \d+ deleted, \d+ already gone/);
      expect(value.code).toBe(0);
      expect(s).toBeLessThan(20);
    } finally {
      clearTimeout(clear);
      t.sandbox.quickSight.faults.configure({});
    }
    const userName = leaver.quickSightUsers[0]?.userName as string;
    expect(t.sandbox.org.quickSight.get(userName)).toBeUndefined();
    expect(t.sandbox.org.quickSight.deletes.get(userName)).toBe(1);
  });

  it('IDSYNC_RATE=1e-9 is refused before anything runs (exit 2)', async () => {
    const result = await runCliOn(t.sandbox, ['apply'], { IDSYNC_RATE: '1e-9' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^idsync: IDSYNC_RATE: must be a plain decimal number/);
  });

  it('--report to an unwritable place: the summary first, then one line, exit 4', async () => {
    const leaver = t.sandbox.org.people.find(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1,
    );
    if (!leaver) throw new Error('no reader');
    removeFromGroups(t.sandbox.org, [leaver.email]);
    const before = t.sandbox.org.quickSight.size;
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const result = await runCliOn(t.sandbox, [
      'reconcile',
      '--apply',
      '--report',
      join(blocker, 'report.html'),
    ]);
    expect(t.sandbox.org.quickSight.size).toBe(before - 1);
    expect(result.stdout).toMatch(/applied: 1 deleted/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^idsync: cannot write the report to .*a-file\/report\.html/);
    expect(result.code).toBe(4);
  });

  it('a report under /proc, or into a folder or a device, is refused at once', async () => {
    for (const out of ['/proc/self/report.html', '/proc/self/comm', dir, '/dev/null']) {
      const { value, s } = await seconds(() => runCliOn(t.sandbox, ['report', '--out', out]));
      expect(value.code, out).toBe(4);
      expect(value.stderr, out).toMatch(/^idsync: cannot write the report to .*: it is /);
      expect(s, out).toBeLessThan(2);
    }
    const audit = await runCliOn(t.sandbox, [
      'audit',
      '--since',
      '1d',
      '--out',
      '/proc/self/x.csv',
    ]);
    expect(audit.code).toBe(4);
    expect(audit.stderr).toMatch(
      /cannot write the export to \/proc\/self\/x\.csv: it is on procfs/,
    );
  });

  it('report and audit create missing folders the same way', async () => {
    const report = join(dir, 'new', 'deeper', 'r.html');
    const exported = join(dir, 'other', 'deeper', 'a.csv');
    expect((await runCliOn(t.sandbox, ['report', '--out', report])).code).toBe(0);
    expect((await runCliOn(t.sandbox, ['audit', '--since', '1d', '--out', exported])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('<html');
    expect(readFileSync(exported, 'utf8').length).toBeGreaterThan(0);
  });

  it('audit --since 1970-01-01 says the table is younger and reads only its days', async () => {
    const { value, s } = await seconds(() =>
      runCliOn(t.sandbox, ['audit', '--since', '1970-01-01', '--format', 'json']),
    );
    expect(value.code).toBe(0);
    expect(value.stderr).toMatch(
      /--since 1970-01-01 is before the audit table was created; reading from \d{4}-/,
    );
    expect(Array.isArray(JSON.parse(value.stdout))).toBe(true);
    expect(s).toBeLessThan(5);
  });
});

describe('unclear messages', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-edges-msg-'));
    t = await startTestSandbox({ org: smallOrg() });
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('missing tables name the tables and the way to create them (exit 2)', async () => {
    const result = await runCliOn(t.sandbox, ['apply'], { IDSYNC_TABLE_PREFIX: 'nothere' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('table');
    expect(result.stderr).toContain('nothere-tasks');
    expect(result.stderr).toContain('run `idsync init-tables` (local) or deploy the stack');
    expect(result.stderr).not.toMatch(/Requested resource not found/);
  });

  it('an unreachable endpoint names the service and the URL (exit 5)', async () => {
    const dynamo = await runCliOn(t.sandbox, ['resolve', 'abc'], {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
    });
    expect(dynamo.stderr).toBe(
      'idsync: DynamoDB at http://127.0.0.1:1 is unreachable (ECONNREFUSED)\n',
    );
    expect(dynamo.code).toBe(5);
    const qs = await runCliOn(t.sandbox, ['snapshot'], {
      AWS_ENDPOINT_URL_QUICKSIGHT: 'http://127.0.0.1:1',
    });
    expect(qs.stdout).toContain('QuickSight at http://127.0.0.1:1 is unreachable (ECONNREFUSED)');
    const wrong = await runCliOn(t.sandbox, ['snapshot'], {
      AWS_ENDPOINT_URL_QUICKSIGHT: t.sandbox.google.rootUrl,
    });
    expect(wrong.stdout).toMatch(
      /answered HTTP 404 with something that is not a QuickSight answer/,
    );
    expect(wrong.stdout).not.toContain('UnknownError');
  });

  it('a garbage private key fails at once, before any call (exit 2)', async () => {
    const key = JSON.parse(readFileSync(t.sandbox.google.credentialsPath, 'utf8'));
    const path = join(dir, 'bad-key.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...key,
        private_key: '-----BEGIN PRIVATE KEY-----\nAAAAgarbage\n-----END PRIVATE KEY-----\n',
      }),
    );
    const calls = t.sandbox.google.faults.counters.calls;
    const { value, s } = await seconds(() =>
      runCliOn(t.sandbox, ['snapshot'], { IDSYNC_GOOGLE_CREDENTIALS: path }),
    );
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/IDSYNC_GOOGLE_CREDENTIALS: .* not a readable PEM private key/);
    expect(value.stderr).not.toContain('garbage');
    expect(t.sandbox.google.faults.counters.calls).toBe(calls);
    expect(s).toBeLessThan(3);
  });

  it.each([
    ['empty', '', /resolve needs an IdC user id/],
    ['blank', '   ', /resolve needs an IdC user id/],
    ['2,000 characters', 'x'.repeat(2000), /is not an IdC user id/],
    ['with a slash', 'a/b', /is not an IdC user id/],
  ])(
    'resolve of an id %s is a usage error, not a raw DynamoDB ValidationException',
    async (_label, id, problem) => {
      const result = await runCliOn(t.sandbox, ['resolve', id]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).not.toMatch(/ValidationException/);
    },
  );

  it.each([
    ['IDSYNC_CONCURRENCY', '0x10'],
    ['IDSYNC_MAX_DELETIONS', '1e3'],
    ['IDSYNC_GOOGLE_ROOT_URL', 'javascript:alert(1)'],
  ])('%s=%s is refused (exit 2)', async (name, value) => {
    const result = await runCliOn(t.sandbox, ['plan'], { [name]: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^idsync: ${name}: `));
  });
});
