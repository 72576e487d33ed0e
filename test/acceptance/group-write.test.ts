import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFirstOfMonth } from '../../services/sandbox/identity-center-seats.js';
import { mixedOrg } from '../../services/sandbox/scenarios/mixed.js';
import { syncIdentityCenter } from '../../services/sandbox/sync-simulator.js';
import { activityUserName } from '../../shared/activity-record.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { coverActivity } from '../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * IAM Identity Center users' seats ended through their Google group (IDSYNC_GOOGLE_GROUP_WRITE):
 * idle IdC-native Readers on a mixed account. Off: `inactive --apply` lists "remove EMAIL from
 * GROUP" and calls nothing. On: one `leave_group` task per group, `members.delete` at the Google
 * stand-in, no QuickSight user write; the SCIM sync turns the user inactive and the 1st of the
 * month removes the seat; `idsync restore` (dry run first) puts a person back before that.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ON = { IDSYNC_GOOGLE_GROUP_WRITE: 'on' };

interface Decision {
  email: string;
  decision: string;
  reason: string;
  group?: string;
  leaveGroups?: string[];
  quickSightUser?: { userName: string; identityType: string };
}

describe('idle IdC-native users leave their Google group', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let idle: { email: string; userName: string; arn: string; groups: string[] }[];

  beforeAll(async () => {
    t = await startTestSandbox({ org: mixedOrg() });
    const org = t.sandbox.org;
    await snapshotOk(t.sandbox);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90), to: ago(0.01) });
    const idc = org.quickSight
      .list()
      .filter((u) => u.identityType === 'IAM_IDENTITY_CENTER' && u.role === 'READER' && u.email)
      .filter((u) =>
        org.groups.some((g) => org.google.listMembers(g, true).some((m) => m.email === u.email)),
      )
      .slice(0, 2);
    expect(idc.length).toBe(2);
    idle = idc.map((u) => ({
      email: u.email as string,
      userName: u.userName,
      arn: u.arn,
      groups: org.groups.filter((g) =>
        org.google.listMembers(g, true).some((m) => m.email === u.email),
      ),
    }));
    // Everyone else was active five days ago: only the two are idle.
    await Promise.all(
      org.quickSight
        .list()
        .filter((u) => !idc.includes(u))
        .map((u) =>
          activity.recordActivity(org.namespace, activityUserName(u), {
            at: ago(5),
            eventName: 'GetDashboard',
            source: 'cloudtrail',
          }),
        ),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const inGroup = (email: string, group: string) =>
    t.sandbox.org.google.listMembers(group, true).some((m) => m.email === email);

  it('off: lists "remove EMAIL from GROUP" for the operator and calls nothing', async () => {
    const run = await runCliOn(t.sandbox, ['inactive', '--apply', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const decisions = JSON.parse(run.stdout).plan.plan.decisions as Decision[];
    for (const p of idle) {
      const d = decisions.find((x) => x.email === p.email);
      expect(d?.decision).toBe('ends_with_group');
      expect(d?.leaveGroups).toEqual(p.groups);
      expect(d?.reason).toContain(`remove ${p.email} from`);
      for (const g of p.groups) expect(inGroup(p.email, g)).toBe(true);
    }
    expect(decisions.some((d) => d.decision === 'leave_group')).toBe(false);
  });

  it('on: a dry run plans leave_group per group and changes nothing', async () => {
    const run = await runCliOn(t.sandbox, ['inactive', '--json'], ON);
    expect(run.code, run.stderr).toBe(0);
    const decisions = JSON.parse(run.stdout).plan.plan.decisions as Decision[];
    for (const p of idle) {
      const mine = decisions.filter((d) => d.email === p.email);
      expect(mine.map((d) => d.decision)).toEqual(p.groups.map(() => 'leave_group'));
      expect(mine.map((d) => d.group)).toEqual(p.groups);
      for (const g of p.groups) expect(inGroup(p.email, g)).toBe(true);
    }
  });

  it('on: --apply takes them out of the group, no QuickSight user write; sync, then the 1st removes the seat; restore puts one back', async () => {
    const org = t.sandbox.org;
    const run = await runCliOn(t.sandbox, ['inactive', '--apply', '--json'], ON);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const groupCalls = idle.reduce((n, p) => n + p.groups.length, 0);
    expect(out.applied.leftGroup).toBe(groupCalls);
    expect(out.applied.failed).toBe(0);
    for (const p of idle) for (const g of p.groups) expect(inGroup(p.email, g)).toBe(false);
    // Zero DeleteUser / UpdateUser on IdC-native users (the stand-in's call log).
    expect(org.quickSight.deletes.size).toBe(0);
    expect(org.quickSight.updates.size).toBe(0);

    // Durable tasks, one per person and group, and one outcome row each.
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    for (const p of idle)
      for (const g of p.groups) {
        const task = await tasks.get(`${org.namespace}#group#${p.email}#${g}`);
        expect(task).toMatchObject({
          status: 'DONE',
          outcome: 'left_group',
          action: 'leave_group',
        });
        const rows = [];
        for await (const page of audit.byEmail(p.email)) rows.push(...page);
        expect(
          rows.filter(
            (r) => r.kind === 'outcome' && r.outcome === 'left_group' && r.detail?.group === g,
          ),
        ).toHaveLength(1);
      }

    // restore: nothing for a stranger; a dry run changes nothing; --apply adds back.
    const [kept, gone] = idle as [(typeof idle)[0], (typeof idle)[0]];
    const none = await runCliOn(t.sandbox, ['restore', 'nobody@example.com']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('nothing to restore');
    const dry = await runCliOn(t.sandbox, ['restore', kept.email]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run');
    for (const g of kept.groups) expect(inGroup(kept.email, g)).toBe(false);
    const restored = await runCliOn(t.sandbox, ['restore', kept.email, '--apply', '--json'], ON);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout).groups.map((g: { outcome: string }) => g.outcome)).toEqual(
      kept.groups.map(() => 'restored'),
    );
    for (const g of kept.groups) expect(inGroup(kept.email, g)).toBe(true);
    const again = await runCliOn(t.sandbox, ['restore', kept.email]);
    expect(again.stdout).toContain('nothing to restore');

    // The SCIM sync: the removed person's IdC-native user turns inactive, the restored one stays.
    syncIdentityCenter(org);
    const user = (arn: string) => org.quickSight.list().find((u) => u.arn === arn);
    expect(user(gone.arn)?.active).toBe(false);
    expect(user(kept.arn)?.active).not.toBe(false);
    // The 1st of the month: QuickSight removes the seat itself.
    expect(runFirstOfMonth(org).map((u) => u.arn)).toEqual([gone.arn]);
    expect(org.quickSight.deletes.size).toBe(0);
  });
});
