import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../shared/activity-record.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { groupTaskIdFor } from '../../shared/task.js';
import { coverActivity } from '../helpers/activity-coverage.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { STACK_LINE, spawnIdsync, until } from './fault-helpers.js';

/**
 * A group removal under SIGKILL (IDSYNC_GOOGLE_GROUP_WRITE=on): the real CLI (bin/idsync.js)
 * runs `inactive --apply` for an idle IAM Identity Center Reader and is killed the moment the
 * Google stand-in has removed the member, before the worker's outcome row and final state; the
 * rerun (`apply`, after the lease) settles the task: DONE `left_group`, exactly one outcome row,
 * exit 0, and no QuickSight user write at any point.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_GOOGLE_GROUP_WRITE: 'on',
  IDSYNC_LEASE_SECONDS: '2',
};

describe('group write under SIGKILL', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), faults: { google: { latencyMs: 150 } } });
    // The snapshot reads Google at no extra latency; the delete meets it.
    t.sandbox.google.faults.configure({});
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('killed between members.delete and its writes: the rerun settles it with one row', async () => {
    const org = t.sandbox.org;
    const target = org.quickSight
      .list()
      .find(
        (u) =>
          u.identityType === 'IAM_IDENTITY_CENTER' &&
          u.role === 'READER' &&
          u.email !== undefined &&
          org.groups.some((g) => org.google.directMembers(g).some((m) => m.email === u.email)),
      );
    if (!target?.email) throw new Error('no IdC-native member');
    const email = target.email;
    const group = org.groups.find((g) =>
      org.google.directMembers(g).some((m) => m.email === email),
    ) as string;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90), to: ago(0.01) });
    await Promise.all(
      org.quickSight
        .list()
        .filter((u) => u.arn !== target.arn)
        .map((u) =>
          activity.recordActivity(org.namespace, activityUserName(u), {
            at: ago(5),
            eventName: 'GetDashboard',
            source: 'cloudtrail',
          }),
        ),
    );
    const inGroup = () => org.google.directMembers(group).some((m) => m.email === email);
    t.sandbox.google.faults.configure({ latencyMs: 150 });

    const first = spawnIdsync(t, ['inactive', '--apply', '--json'], SETTINGS);
    const reached = await until(first.done, () => (inGroup() ? undefined : 'removed'));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(reached, killed.stderr).toBe('removed');
    expect(killed.signal).toBe('SIGKILL');

    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const taskId = groupTaskIdFor(org.namespace, email, group);
    const left = await tasks.get(taskId);
    // The kill landed after the call: the task counted it; its row may or may not be written.
    expect(left?.attempts).toBe(1);

    await new Promise((r) => setTimeout(r, 2_100));
    t.sandbox.google.faults.configure({});
    const rerun = spawnIdsync(t, ['apply', '--json'], SETTINGS);
    const ran = await rerun.done;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(STACK_LINE);
    expect(await tasks.get(taskId)).toMatchObject({ status: 'DONE', outcome: 'left_group' });
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    const rows = [];
    for await (const page of audit.byEmail(email)) rows.push(...page);
    const outcomes = rows.filter((r) => r.kind === 'outcome' && r.detail?.group === group);
    expect(outcomes.map((r) => r.outcome)).toEqual(['left_group']);
    expect(inGroup()).toBe(false);
    expect(org.quickSight.deletes.size + org.quickSight.updates.size).toBe(0);
  });
});
