import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeepGroup } from '../../../services/sandbox/scenarios/keep-group.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync inactive` after a real `activity sync` on the sandbox's CloudTrail: the documented
 * exit 2 when the record is shorter than the days asked, and the keep groups
 * (IDSYNC_INACTIVE_KEEP_GROUPS): Readers who only receive emailed reports leave no CloudTrail
 * trace, and must never be pruned as idle.
 */

describe('idsync inactive: record length and keep groups', { timeout: 180_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 5 } });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('inactive --days 60 after activity sync --days 30 exits 2, saying what history exists', async () => {
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '30']);
    expect(sync.code, sync.stderr).toBe(0);
    // The sync saw activity within the 30 days: active users must not pass for history.
    const active = t.sandbox.activity.users.filter((u) => u.story === 'active');
    expect(active.length).toBeGreaterThan(5);
    const result = await runCliOn(t.sandbox, ['inactive', '--days', '60']);
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toMatch(/asked for 60 days without activity/);
    expect(result.stderr).toMatch(/holds CloudTrail history from .* \(\d+ days\)/);
    expect(result.stderr).toMatch(/covers only \d+ days/);
    const json = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr).error).toMatchObject({ name: 'UsageError', exitCode: 2 });
    // What the record holds is enough for 29 days.
    const fewer = await runCliOn(t.sandbox, ['inactive', '--days', '29', '--json']);
    expect(fewer.code, fewer.stderr).not.toBe(2);
  });

  it('members of a keep group are kept, never pruned, also with --apply, and shown everywhere', async () => {
    const { org, activity } = t.sandbox;
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90']);
    expect(sync.code, sync.stderr).toBe(0);
    const story = new Map(activity.users.map((u) => [u.userName, u.story]));
    const idlePeople = org.people.filter(
      (p) =>
        p.kind === 'reader' &&
        !p.protected &&
        p.quickSightUsers.length > 0 &&
        p.quickSightUsers.every(
          (u) => story.get(u.userName) === 'lapsed' || story.get(u.userName) === 'never',
        ),
    );
    expect(idlePeople.length).toBeGreaterThan(4);
    const recipients = idlePeople.slice(0, 3);
    const keep = addKeepGroup(org, `dashboard-mail@${org.domain}`, recipients);
    const keptNames = new Set(recipients.flatMap((p) => p.quickSightUsers.map(activityUserName)));
    const env = { IDSYNC_INACTIVE_KEEP_GROUPS: keep };

    // A snapshot that did not list the keep group is unknown data: nothing is judged (exit 3).
    const unlisted = await runCliOn(t.sandbox, ['inactive', '--days', '60'], env);
    expect(unlisted.code).toBe(3);
    expect(unlisted.stderr).toContain(`did not list keep group ${keep}`);

    expect((await runCliOn(t.sandbox, ['snapshot'], env)).code).toBe(0);
    const dry = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '60', '--json', '--max-deletions', '500'],
      env,
    );
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned.counts.kept).toBe(keptNames.size);
    expect(planned.kept.map((u: { userName: string }) => u.userName).sort()).toEqual(
      [...keptNames].sort(),
    );
    for (const u of planned.kept)
      expect(u.verdict.reason).toBe(`kept: member of ${keep} (IDSYNC_INACTIVE_KEEP_GROUPS)`);
    const deletes = (
      planned.plan.plan.decisions as { decision: string; quickSightUser?: { userName: string } }[]
    )
      .filter((d) => d.decision === 'delete')
      .map((d) => d.quickSightUser?.userName ?? '');
    expect(deletes.length).toBeGreaterThan(3);
    for (const name of keptNames) expect(deletes).not.toContain(name);

    const text = await runCliOn(t.sandbox, ['inactive', '--days', '60'], env);
    expect(text.stdout).toMatch(new RegExp(`${keptNames.size} kept \\(keep groups\\)`));
    expect(text.stdout).toContain(
      `kept: members of ${keep} (IDSYNC_INACTIVE_KEEP_GROUPS) are never idle (${keptNames.size})`,
    );
    expect(text.stdout).toContain(recipients[0]?.email as string);

    const report = '/tmp/d-reports/keep-idle.html';
    const applied = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '60', '--apply', '--max-deletions', '500', '--report', report],
      env,
    );
    expect(applied.code, applied.stderr).toBe(0);
    const left = new Set(org.quickSight.list().map(activityUserName));
    for (const name of keptNames) expect(left.has(name), name).toBe(true);
    expect(org.quickSight.deletes.size).toBeGreaterThan(3);
    for (const name of keptNames) expect(org.quickSight.deletes.has(name)).toBe(false);

    // The audit's decision rows and the report's Idle Readers section say who was kept and why.
    const audit = await runCliOn(t.sandbox, [
      'audit',
      '--email',
      recipients[0]?.email as string,
      '--format',
      'jsonl',
    ]);
    const rows = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toContainEqual(
      expect.objectContaining({
        kind: 'decision',
        decision: 'kept',
        source: 'inactive',
        reason: `kept: member of ${keep} (IDSYNC_INACTIVE_KEEP_GROUPS)`,
      }),
    );
    const html = await readFile(report, 'utf8');
    const idle = html.slice(html.indexOf('<h2 id="idle">'));
    expect(idle).toContain('data-status="kept"');
    expect(idle).toContain('Kept (keep group)');
    expect(idle).toContain(recipients[0]?.email as string);
    expect(idle).toMatch(/users? (was|were) kept as members of a keep group/);
  });
});
