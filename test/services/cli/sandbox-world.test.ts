import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { createSnsClient } from '../../../shared/aws/clients.js';
import { SnsOperatorNotices } from '../../../shared/aws/sns-operator-notices.js';
import { loadConfig } from '../../../shared/config/index.js';
import { summarizeWork } from '../../../shared/held-work.js';
import { workHeldNotice } from '../../../shared/operator-notices.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/** `idsync sandbox leave|join|move|sync|activity|new-user` against a running sandbox. */
describe('idsync sandbox world controls', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), control: true });
    dir = mkdtempSync(join(tmpdir(), 'idsync-world-cli-'));
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = (...argv: string[]) => runCliOn(t.sandbox, argv);

  it('leave, sync --out FILE, handle-event FILE: the leaver is resolved from the written events', async () => {
    const org = t.sandbox.org;
    const leaver = org.people.find(
      (p) => p.kind === 'reader' && !p.protected,
    ) as (typeof org.people)[0];
    const left = await cli('sandbox', 'leave', leaver.email);
    expect(left).toMatchObject({ code: 0, stderr: '' });
    expect(left.stdout).toBe(
      `${leaver.email} left ${org.groupEmails.readers}\n${leaver.email} is now in no configured group: idsync sandbox sync deletes their IdC user\n`,
    );
    const file = join(dir, 'sync.jsonl');
    const sync = await cli('sandbox', 'sync', '--out', file);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`sync: 1 IdC user deleted (${leaver.email}), 0 created\n`);
    expect(sync.stdout).toContain(`events: 1 CloudTrail event written to ${file}`);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).detail.eventName)).toEqual(['DeleteUser']);
    const handled = await cli('handle-event', file);
    expect(handled.code).toBe(0);
    expect(handled.stdout).toContain(`resolved to ${leaver.email}`);
    expect(handled.stdout).toMatch(/^delete \(1\)$/m);
  });

  it('sync without --out writes a new temporary file and names it; --json gives the counts', async () => {
    const json = await cli('--json', 'sandbox', 'sync');
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout) as { eventsFile: string; events: number; deleted: [] };
    expect(answer).toMatchObject({ events: 0, deleted: [], created: [] });
    expect(answer.eventsFile.startsWith(tmpdir())).toBe(true);
    expect(existsSync(answer.eventsFile)).toBe(true);
    rmSync(answer.eventsFile);
    const bad = await cli('sandbox', 'sync', '--out', dir);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/cannot write the sync events to .*: it is a folder/);
  });

  it('join, new-user, move, activity print what changed; --json the whole answer', async () => {
    const org = t.sandbox.org;
    const email = 'new.hire@example.com';
    const joined = await cli(
      'sandbox',
      'join',
      email,
      '--group',
      'quicksight-authors',
      '--role',
      'author',
    );
    expect(joined.code).toBe(0);
    expect(joined.stdout).toContain(`${email} joined ${org.groupEmails.authors}\n`);
    expect(joined.stdout).toContain('first QuickSight sign-in as AUTHOR');
    expect((await cli('sandbox', 'sync', '--out', join(dir, 'join.jsonl'))).code).toBe(0);
    const signIn = await cli('--json', 'sandbox', 'new-user', email);
    expect(signIn.code).toBe(0);
    expect(JSON.parse(signIn.stdout)).toMatchObject({
      userName: `${org.roles.author.name}/${email}`,
      role: 'AUTHOR',
      eventName: 'CreateUser',
    });
    const mover = org.people.find(
      (p) =>
        p.kind === 'reader' &&
        !p.protected &&
        p.groups.length === 1 &&
        org.google.directMembers(org.groupEmails.readers).some((m) => m.email === p.email),
    ) as (typeof org.people)[0];
    const move = await cli(
      'sandbox',
      'move',
      mover.email,
      '--from',
      'quicksight-readers',
      '--to',
      'quicksight-authors',
    );
    expect(move.stdout).toBe(
      `${mover.email} moved from ${org.groupEmails.readers} to ${org.groupEmails.authors}\n${mover.email} is still in ${org.groupEmails.authors} (configured)\n`,
    );
    const activity = await cli(
      'sandbox',
      'activity',
      mover.email,
      '--days-ago',
      '1',
      '--event',
      'ListDashboards',
    );
    expect(activity.code).toBe(0);
    expect(activity.stdout).toMatch(
      /^CloudTrail: ListDashboards by .+ \(READER\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m,
    );
  });

  it('refusals exit 2 with the reason; no control URL exits 2; --control overrides', async () => {
    const org = t.sandbox.org;
    const unknown = await cli('sandbox', 'leave', 'nobody@example.com');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe(
      'idsync: no one with e-mail nobody@example.com in the sandbox (in no Google group, IdC or QuickSight)\n',
    );
    const author = org.people.find((p) => p.kind === 'author') as (typeof org.people)[0];
    const notIn = await cli('sandbox', 'leave', author.email, '--group', 'quicksight-readers');
    expect(notIn.code).toBe(2);
    expect(notIn.stderr).toContain(`${author.email} is not a member of ${org.groupEmails.readers}`);
    const none = await runCliOn(t.sandbox, ['sandbox', 'sync'], { IDSYNC_SANDBOX_CONTROL: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no sandbox control URL/);
    const flag = await runCliOn(
      t.sandbox,
      ['sandbox', 'leave', 'nobody@example.com', '--control', t.sandbox.controlUrl as string],
      { IDSYNC_SANDBOX_CONTROL: '' },
    );
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/no one with e-mail/);
  });
  it('sandbox notices shows what was published to the operator topic', async () => {
    const none = await cli('sandbox', 'notices');
    expect(none).toMatchObject({ code: 0, stdout: 'No message on the operator topic yet.\n' });
    const client = createSnsClient(loadConfig([], t.sandbox.env).aws);
    await new SnsOperatorNotices(client, t.sandbox.operators.topicArn).publish(
      workHeldNotice({
        deployment: 'idsync',
        runId: 'plan-7',
        work: summarizeWork([], Date.now()),
      }),
    );
    client.destroy();
    const shown = await cli('sandbox', 'notices');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}idsync idsync: 0 removals held\n {4}After run plan-7/,
    );
    const json = JSON.parse((await cli('sandbox', 'notices', '--json')).stdout);
    expect(json.notices).toHaveLength(1);
    expect(json.notices[0]).toMatchObject({ topicArn: t.sandbox.operators.topicArn });
  });
});
