import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync inactive` on the sandbox, with the activity record written through the real store (the
 * CloudTrail path, `activity sync`, is covered by test/acceptance/idle-readers.test.ts).
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

interface Decision {
  email: string;
  decision: string;
  source: string;
  reason: string;
  member?: boolean;
  quickSightUser?: { userName: string; role: string };
}

describe('idsync inactive on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let activity: DynamoActivityStore;
  const readers = () => t.sandbox.org.quickSight.list().filter((u) => u.role === 'READER');

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    activity = new DynamoActivityStore(t.doc, t.names.activity);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('refuses to judge more days than the record covers (exit 2), saying what history exists', async () => {
    await coverActivity(activity, [t.sandbox.org.region], { from: ago(30), to: ago(0.01) });
    const result = await runCliOn(t.sandbox, ['inactive', '--days', '60']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/asked for 60 days without activity/);
    expect(result.stderr).toMatch(/holds CloudTrail history from .* \(29 days\)/);
    expect(result.stderr).toMatch(/idsync activity sync/);
    expect((await runCliOn(t.sandbox, ['inactive', '--days', '91'])).code).toBe(2);
    for (const bad of [
      ['--days', '0'],
      ['--days', 'sixty'],
      ['--warn-days', '1.5'],
    ]) {
      const r = await runCliOn(t.sandbox, ['inactive', ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${bad[0]} must be a whole number of days from 1 to 90`);
    }
  });

  it('plans, then deletes exactly the idle Readers once each, per QuickSight user', async () => {
    await coverActivity(activity, [t.sandbox.org.region], { from: ago(90), to: ago(0.01) });
    const org = t.sandbox.org;
    const plain = org.people.filter((p) => p.kind === 'reader' && !p.protected);
    const active = plain.slice(0, 4);
    const old = plain.slice(4, 8);
    const fresh = plain.slice(8, 10);
    const ns = org.namespace;
    const userOf = (p: (typeof plain)[number]) => {
      const u = p.quickSightUsers[0];
      if (!u) throw new Error('reader without a user');
      return u;
    };
    for (const p of active) {
      await activity.recordActivity(ns, activityUserName(userOf(p)), {
        at: ago(5),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
    }
    for (const p of old) {
      await activity.recordActivity(ns, activityUserName(userOf(p)), {
        at: ago(70),
        eventName: 'GetDashboardEmbedUrl',
        source: 'cloudtrail',
      });
    }
    for (const p of fresh) {
      await activity.recordCreation(ns, activityUserName(userOf(p)), {
        at: ago(10),
        eventName: 'RegisterUser',
      });
    }
    const keep = new Set([...active, ...fresh].map((p) => userOf(p).userName));
    const protectedNames = new Set(
      org.people
        .filter((p) => p.protected)
        .flatMap((p) => p.quickSightUsers.map((u) => u.userName)),
    );
    const strangers = new Set(
      org.people
        .filter((p) => p.kind === 'stranger')
        .flatMap((p) => p.quickSightUsers.map((u) => u.userName)),
    );
    // IAM_IDENTITY_CENTER users are never deleted (QuickSight refuses): ends_with_group instead.
    const idcNames = new Set(
      readers()
        .filter((u) => u.identityType === 'IAM_IDENTITY_CENTER')
        .map((u) => u.userName),
    );
    const named = readers()
      .map((u) => u.userName)
      .filter((n) => !keep.has(n) && !protectedNames.has(n) && !strangers.has(n));
    const groupEnded = named.filter((n) => idcNames.has(n));
    const expected = named.filter((n) => !idcNames.has(n)).sort();
    expect(groupEnded.length).toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(10);
    // The stand-in keys N/A users by principal id, as the activity record does.
    const expectedKeys = readers()
      .filter((u) => expected.includes(u.userName))
      .map(activityUserName)
      .sort();
    const before = org.quickSight.size;
    const nonReaders = before - readers().length;

    // The guard (IDSYNC_MAX_DELETIONS / _PERCENT) applies as to every removal: exit 3.
    const guarded = await runCliOn(t.sandbox, ['inactive', '--json']);
    expect(guarded.code, guarded.stderr).toBe(3);
    expect(JSON.parse(guarded.stdout).plan.plan.counts).toMatchObject({
      blocked: expected.length,
      delete: 0,
    });
    const dry = await runCliOn(t.sandbox, [
      'inactive',
      '--json',
      '--warn-days',
      '60',
      '--max-deletions',
      '500',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout);
    const deletes = (planned.plan.plan.decisions as Decision[]).filter(
      (d) => d.decision === 'delete',
    );
    expect(deletes.map((d) => d.quickSightUser?.userName).sort()).toEqual(expected);
    const ended = (planned.plan.plan.decisions as Decision[]).filter(
      (d) => d.decision === 'ends_with_group',
    );
    expect(ended.map((d) => d.quickSightUser?.userName).sort()).toEqual(groupEnded.sort());
    for (const d of ended) expect(d.reason).toContain(`remove ${d.email} from `);
    expect(
      deletes.every((d) => d.source === 'inactive' && d.quickSightUser?.role === 'READER'),
    ).toBe(true);
    const oldName = userOf(old[0] as (typeof plain)[number]).userName;
    expect(deletes.find((d) => d.quickSightUser?.userName === oldName)?.reason).toMatch(
      new RegExp(`last active ${ago(70).slice(0, 10)}, GetDashboardEmbedUrl, from CloudTrail`),
    );
    expect(deletes.some((d) => /no activity since the record began on/.test(d.reason))).toBe(true);
    // Idle Readers are group members: deleted all the same, and the plan says so.
    expect(deletes.filter((d) => d.member).length).toBeGreaterThan(0);
    expect(planned.idleSoon.map((u: { userName: string }) => u.userName).sort()).toEqual(
      [...active, ...fresh].map((p) => userOf(p).userName).sort(),
    );
    expect(org.quickSight.size).toBe(before);
    const text = await runCliOn(t.sandbox, ['inactive', '--max-deletions', '500']);
    expect(text.stdout).toMatch(/idle rule: READER, READER_PRO users with no activity in 60 days/);
    expect(text.stdout).toMatch(/of people idsync does not manage \(never touched\)/);
    expect(text.stdout).toMatch(/Dry run: nothing deleted/);

    const applied = await runCliOn(t.sandbox, [
      'inactive',
      '--apply',
      '--max-deletions',
      '500',
      '--json',
    ]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).applied.deleted).toBe(expected.length);
    expect([...org.quickSight.deletes.keys()].sort()).toEqual(expectedKeys);
    expect([...org.quickSight.deletes.values()].every((n) => n === 1)).toBe(true);
    expect(org.quickSight.size).toBe(before - expected.length);
    const left = new Set(org.quickSight.list().map((u) => u.userName));
    for (const name of [...keep, ...protectedNames, ...strangers, ...groupEnded])
      expect(left.has(name)).toBe(true);
    expect(org.quickSight.list().filter((u) => u.role !== 'READER').length).toBe(nonReaders);

    // Once each: after a fresh snapshot the idle users are gone and nothing more is deleted.
    await snapshotOk(t.sandbox);
    const again = await runCliOn(t.sandbox, [
      'inactive',
      '--apply',
      '--max-deletions',
      '500',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).plan.plan.counts.delete).toBe(0);
    expect([...org.quickSight.deletes.values()].every((n) => n === 1)).toBe(true);

    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    const rows = [];
    for await (const page of audit.byRun(JSON.parse(dry.stdout).plan.runId)) rows.push(...page);
    expect(rows.filter((r) => r.kind === 'idle_soon')).toHaveLength(active.length + fresh.length);
  });

  it('a user first listed by a snapshot after one that did not list it is new, not idle', async () => {
    const member = t.sandbox.org.people.find(
      (p) =>
        p.kind === 'reader' &&
        !p.protected &&
        t.sandbox.org.quickSight.get(p.quickSightUsers[0]?.userName ?? '') !== undefined,
    );
    if (!member) throw new Error('no remaining reader');
    const userName = `newcomer.${member.email}`;
    t.sandbox.org.quickSight.register({
      userName,
      email: member.email,
      role: 'READER',
      identityType: 'QUICKSIGHT',
    });
    await snapshotOk(t.sandbox);
    const result = await runCliOn(t.sandbox, ['inactive', '--json', '--warn-days', '90']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.idle.map((u: { userName: string }) => u.userName)).not.toContain(userName);
    const soon = out.idleSoon.find((u: { userName: string }) => u.userName === userName);
    expect(soon?.verdict.reason).toMatch(
      new RegExp(
        `^new within 60 days \\(first listed by the snapshot of ${new Date().toISOString().slice(0, 10)}\\)$`,
      ),
    );
  });
});
