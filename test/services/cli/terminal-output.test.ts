import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeepGroup } from '../../../services/sandbox/scenarios/keep-group.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { UNSAFE_TERMINAL_CHARS } from '../../../shared/terminal-text.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Names from outside reach the terminal escaped: a QuickSight user name holding a right-to-left
 * override (U+202E) and an ANSI escape sequence (ESC [), and a CSV cell holding them, are shown
 * as `\u202E` and `\x1B` by every human listing, and as JSON escapes with --json.
 */

const DAY = 86_400_000;
const RLO = '\u202E';
const ESC = '\u001b';
const unsafe = new RegExp(UNSAFE_TERMINAL_CHARS.source);
const EVIL = `Evil${RLO}gnp.exe${ESC}[31m`;

function expectSafe(label: string, out: { stdout: string; stderr: string }) {
  expect(unsafe.test(out.stdout), `${label} stdout: ${JSON.stringify(out.stdout)}`).toBe(false);
  expect(unsafe.test(out.stderr), `${label} stderr: ${JSON.stringify(out.stderr)}`).toBe(false);
}

describe('terminal output escapes bidi and control characters', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let email = '';
  let userName = '';
  let dir = '';
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    dir = await mkdtemp(join(tmpdir(), 'idsync-terminal-'));
    const org = t.sandbox.org;
    const person = org.people.find(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length > 0,
    );
    if (!person) throw new Error('no reader');
    email = person.email;
    userName = `${EVIL}/${email}`;
    org.quickSight.register({
      userName,
      email,
      role: 'READER',
      identityType: 'IAM',
      active: true,
      principalId: `AROA${'X'.repeat(17)}:${email}`,
    });
    await snapshotOk(t.sandbox);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], {
      from: new Date(Date.now() - 90 * DAY).toISOString(),
      to: new Date(Date.now() - 0.01 * DAY).toISOString(),
    });
    // The person leaves: every command that plans lists their users, the evil one included.
    org.google.removeMember(org.groupEmails.readers, email);
    const keep = addKeepGroup(org, `mailed-reports@${org.domain}`, [person]);
    expect(
      (await runCliOn(t.sandbox, ['snapshot'], { IDSYNC_INACTIVE_KEEP_GROUPS: keep })).code,
    ).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('plan and reconcile show the name escaped (\\u202E, \\x1B)', async () => {
    const env = { IDSYNC_INACTIVE_KEEP_GROUPS: `mailed-reports@${t.sandbox.org.domain}` };
    for (const argv of [['plan'], ['reconcile']]) {
      const out = await runCliOn(t.sandbox, argv, env);
      expect(out.code, out.stderr).not.toBe(1);
      expectSafe(argv[0] as string, out);
      expect(out.stdout).toContain('Evil\\u202Egnp.exe\\x1B[31m');
    }
  });

  it('--json keeps the value, written as JSON escapes', async () => {
    const out = await runCliOn(t.sandbox, ['plan', '--json']);
    expectSafe('plan --json', out);
    expect(out.stdout).toContain('\\u202E');
    const names = (
      JSON.parse(out.stdout).plan.decisions as { quickSightUser?: { userName: string } }[]
    ).map((d) => d.quickSightUser?.userName);
    expect(names).toContain(userName);
  });

  it('inactive lists the kept user escaped', async () => {
    const keep = `mailed-reports@${t.sandbox.org.domain}`;
    const out = await runCliOn(t.sandbox, ['inactive', '--max-deletions', '500'], {
      IDSYNC_INACTIVE_KEEP_GROUPS: keep,
    });
    expect(out.code, out.stderr).not.toBe(1);
    expectSafe('inactive', out);
    expect(out.stdout).toContain(`${email}  Evil\\u202Egnp.exe\\x1B[31m/${email} [READER]  kept`);
  });

  it('audit tables and notes, and CSV errors, show them escaped too', async () => {
    const audit = await runCliOn(t.sandbox, ['audit', '--email', email, '--format', 'table']);
    expect(audit.code, audit.stderr).toBe(0);
    expectSafe('audit table', audit);
    expect(audit.stdout).toContain('Evil\\u202Egnp');
    const jsonl = await runCliOn(t.sandbox, ['audit', '--email', email, '--format', 'jsonl']);
    expectSafe('audit jsonl', jsonl);
    const csv = join(dir, 'evil.csv');
    await writeFile(csv, `email\nmallory${RLO}@example.com\n${ESC}[2Jwipe@example.com\n`);
    const removed = await runCliOn(t.sandbox, ['remove', '--csv', csv]);
    expect(removed.code).toBe(4);
    expectSafe('remove --csv', removed);
    expect(removed.stdout + removed.stderr).toMatch(/mallory(\\u202E|\\u\{202e\})/);
  });

  it('an error naming an outside value is one escaped line', async () => {
    const out = await runCliOn(t.sandbox, ['audit', '--run', `run${RLO}${ESC}[31m`]);
    expectSafe('audit --run', out);
    const bad = await runCliOn(t.sandbox, [`--bogus${RLO}`]);
    expect(bad.code).toBe(2);
    expectSafe('unknown option', bad);
  });
});
