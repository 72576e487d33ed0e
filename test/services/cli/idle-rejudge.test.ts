import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeepGroup } from '../../../services/sandbox/scenarios/keep-group.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import type { OrgPerson } from '../../../services/sandbox/scenarios/org-types.js';
import { activityUserName } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoAuditLog, type StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DynamoGuardWindow } from '../../../shared/dynamo/guard-table-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { type Task, taskIdFor } from '../../../shared/task.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { addFederatedUse } from '../../helpers/federated-use.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Every idle removal is judged again just before its QuickSight call (services/worker/
 * delete-checks.ts, services/removals/idle/idle-recheck.ts), through the CLI on the sandbox: an
 * `inactive` task that waited (FAILED after QuickSight failed, BLOCKED by the guard window) is
 * not deleted when its person used QuickSight again, was registered or joined a keep group
 * (IDSYNC_INACTIVE_KEEP_GROUPS) since the plan; a record too old to judge, or a keep group the
 * newest snapshot did not list, defers it (PENDING, exit 4), and `apply` first catches the record
 * up once.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const DENIED = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: '999999999999' };
const GUARD = { IDSYNC_MAX_DELETION_PERCENT: '100' };

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('idle tasks judged again before the call: FAILED tasks, catch-up, deferral', {
  timeout: 180_000,
}, () => {
  let t: TestSandbox;
  let tasks: DynamoTaskStore;
  let audit: DynamoAuditLog;
  let activity: DynamoActivityStore;
  /** The idle Readers of the first plan; `again` uses QuickSight again, `registered` is re-created. */
  let idle: QuickSightUser[];
  let again: QuickSightUser;
  let registered: QuickSightUser;

  const taskOf = async (u: QuickSightUser) =>
    (await tasks.get(taskIdFor(t.sandbox.org.namespace, u))) as Task;
  const deletesOf = (u: QuickSightUser) =>
    t.sandbox.org.quickSight.deletes.get(activityUserName(u)) ?? 0;
  const outcomeRows = async (u: QuickSightUser, outcome: string): Promise<StoredAuditRecord[]> =>
    (await collect(audit.byEmail((u.email ?? '').toLowerCase()))).filter(
      (r) => r.kind === 'outcome' && r.outcome === outcome && r.userName === u.userName,
    );

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 5 } });
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    audit = new DynamoAuditLog(t.doc, t.names.audit);
    activity = new DynamoActivityStore(t.doc, t.names.activity);
    await snapshotOk(t.sandbox);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90']);
    expect(sync.code, sync.stderr).toBe(0);
    const dry = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--json'], GUARD);
    expect(dry.code, dry.stderr).toBe(0);
    const names = new Set(
      (JSON.parse(dry.stdout).idle as Array<{ userName: string }>).map((u) => u.userName),
    );
    // Idle IAM Identity Center users are not queued (ends_with_group): only the others are.
    idle = t.sandbox.org.quickSight
      .list()
      .filter((u) => names.has(activityUserName(u)) && u.identityType !== 'IAM_IDENTITY_CENTER');
    const federated = idle.filter((u) => u.identityType === 'IAM' && u.userName.includes('/'));
    [again, registered] = federated as [QuickSightUser, QuickSightUser];
    expect(federated.length).toBeGreaterThanOrEqual(2);
    expect(idle.length).toBeGreaterThanOrEqual(5);
  }, 120_000);
  afterAll(async () => t?.close());

  it('inactive --apply with QuickSight failing leaves FAILED idle tasks carrying their N days', async () => {
    const applied = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '60', '--apply', '--max-deletions', '500', '--json'],
      { ...GUARD, ...DENIED },
    );
    expect(applied.code, applied.stderr).toBe(4);
    expect(JSON.parse(applied.stdout).applied).toMatchObject({ failed: idle.length, deleted: 0 });
    for (const u of idle)
      expect(await taskOf(u)).toMatchObject({
        status: 'FAILED',
        source: 'inactive',
        idleDays: 60,
        attempts: 1,
      });
  });

  it('a record older than IDSYNC_ACTIVITY_MAX_LAG_HOURS that cannot be caught up defers them: nothing deleted, exit 4', async () => {
    const from = (await activity.coverage()).cloudtrail?.from as string;
    const staleTo = ago(3 * HOUR);
    await coverActivity(activity, [t.sandbox.org.region], { from, to: staleTo });
    const calls = t.sandbox.quickSight.faults.counters.calls;
    // CloudTrail unreachable: the one catch-up fails and the record stays stale.
    const applied = await runCliOn(t.sandbox, ['apply', '--json'], {
      ...GUARD,
      AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9',
    });
    expect(applied.code, applied.stderr).toBe(4);
    const out = JSON.parse(applied.stdout);
    expect(out.summary).toMatchObject({ deleted: 0, deferred: idle.length, calls: 0 });
    const reason = `the activity record ends at ${staleTo}, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync`;
    expect(out.summary.deferReason).toBe(reason);
    expect(applied.stderr).toMatch(/the activity catch-up failed/);
    expect(t.sandbox.quickSight.faults.counters.calls).toBe(calls);
    for (const u of idle) {
      expect(deletesOf(u)).toBe(0);
      // PENDING again, no attempt used; one audit row saying why.
      expect(await taskOf(u)).toMatchObject({ status: 'PENDING', attempts: 1 });
      const rows = (await outcomeRows(u, 'deferred')).filter((r) => r.runId === out.runId);
      expect(rows.map((r) => r.reason)).toEqual([reason]);
    }
  });

  it('apply catches the record up once; people active again or registered since the plan are cancelled, not deleted', async () => {
    const { org } = t.sandbox;
    // A new CloudTrail event of `again`, after the plan, in the tail the record has not read.
    addFederatedUse(t, again, Date.now() - HOUR);
    // `registered` was deleted elsewhere and registered again since the plan.
    const plannedAt = Date.parse((await taskOf(registered)).createdAt);
    const registeredAt = new Date(plannedAt + 1_000).toISOString();
    expect(Date.parse(registeredAt)).toBeLessThan(Date.now());
    await activity.recordCreation(org.namespace, activityUserName(registered), {
      at: registeredAt,
      eventName: 'RegisterUser',
    });
    const lookups = t.sandbox.cloudTrail.faults.counters.calls;
    const applied = await runCliOn(t.sandbox, ['apply', '--json'], GUARD);
    expect(deletesOf(again)).toBe(0);
    expect(deletesOf(registered)).toBe(0);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/catching it up from CloudTrail/);
    expect(t.sandbox.cloudTrail.faults.counters.calls).toBeGreaterThan(lookups);
    const out = JSON.parse(applied.stdout);
    expect(out.summary).toMatchObject({
      deleted: idle.length - 2,
      cancelled: 2,
      deferred: 0,
      failed: 0,
    });
    for (const u of idle.filter((x) => x !== again && x !== registered))
      expect(deletesOf(u)).toBe(1);
    expect(await taskOf(again)).toMatchObject({ status: 'CANCELLED', outcome: 'cancelled' });
    expect(await taskOf(registered)).toMatchObject({ status: 'CANCELLED', outcome: 'cancelled' });
    // Audited exactly once each, with what was seen.
    const today = new Date(Date.now() - HOUR).toISOString().slice(0, 10);
    expect((await outcomeRows(again, 'cancelled')).map((r) => r.reason)).toEqual([
      `active again: last active ${today}, GetDashboard, from CloudTrail`,
    ]);
    expect((await outcomeRows(registered, 'cancelled')).map((r) => r.reason)).toEqual([
      `registered since the plan: RegisterUser on ${registeredAt.slice(0, 10)}`,
    ]);
    // `inactive` itself says the same now.
    const judged = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--json'], GUARD);
    expect(judged.code, judged.stderr).toBe(0);
    const stillIdle = new Set(
      (JSON.parse(judged.stdout).idle as Array<{ userName: string }>).map((u) => u.userName),
    );
    expect(stillIdle.has(activityUserName(again))).toBe(false);
    expect(stillIdle.has(activityUserName(registered))).toBe(false);
  });
});

describe('idle tasks judged again before the call: BLOCKED tasks released later', {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => t?.close());

  it('apply --max-deletions N releases them, cancels the one active again, deletes the idle one with its own N days', async () => {
    const { org } = t.sandbox;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    await coverActivity(activity, [org.region], { from: ago(90 * DAY), to: ago(15 * 60_000) });
    const readers = org.quickSight
      .list()
      .filter((u) => u.role === 'READER' || u.role === 'READER_PRO');
    const plain = org.people
      .filter((p) => p.kind === 'reader' && !p.protected)
      .map((p) => p.quickSightUsers[0] as QuickSightUser);
    const [back, still] = plain as [QuickSightUser, QuickSightUser];
    // Everyone else used QuickSight 5 days ago; these two last 50 days ago.
    const lapsedNames = new Set([back.userName, still.userName]);
    for (const u of readers) {
      const lapsed = lapsedNames.has(u.userName);
      await activity.recordActivity(org.namespace, activityUserName(u), {
        at: ago((lapsed ? 50 : 5) * DAY),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
    }
    // The guard window's budget (2) is spent: the plan queues both BLOCKED.
    const window = new DynamoGuardWindow(t.doc, t.names.guard, 24 * HOUR);
    for (const id of ['earlier#1', 'earlier#2'])
      expect(await window.reserve(id, 2, Date.now())).toBe('reserved');
    const env = { ...GUARD, IDSYNC_MAX_DELETIONS: '2' };
    const planned = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '40', '--apply', '--json'],
      env,
    );
    expect(planned.code, planned.stderr).toBe(3);
    for (const u of [back, still])
      expect(await tasks.get(taskIdFor(org.namespace, u))).toMatchObject({
        status: 'BLOCKED',
        idleDays: 40,
      });

    // Days later `back` uses QuickSight again: the record has it, and `inactive` says so.
    await activity.recordActivity(org.namespace, activityUserName(back), {
      at: ago(10 * 60_000),
      eventName: 'GetDashboard',
      source: 'cloudtrail',
    });
    const judged = await runCliOn(t.sandbox, ['inactive', '--days', '40', '--json'], env);
    const idleNow = (JSON.parse(judged.stdout).idle as Array<{ userName: string }>).map(
      (u) => u.userName,
    );
    expect(idleNow).toEqual([activityUserName(still)]);

    // The operator releases the BLOCKED tasks for one run (IDSYNC_INACTIVE_DAYS stays 60: the
    // tasks' own 40 days decide, so `still`, idle 50 days, is deleted).
    const released = await runCliOn(t.sandbox, ['apply', '--max-deletions', '5', '--json'], env);
    expect(released.code, released.stderr).toBe(0);
    expect(JSON.parse(released.stdout).summary).toMatchObject({ deleted: 1, cancelled: 1 });
    expect(org.quickSight.deletes.get(activityUserName(back)) ?? 0).toBe(0);
    expect(org.quickSight.deletes.get(activityUserName(still))).toBe(1);
    const backTask = (await tasks.get(taskIdFor(org.namespace, back))) as Task;
    expect(backTask).toMatchObject({ status: 'CANCELLED', outcome: 'cancelled' });
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    const rows = (await collect(audit.byEmail((back.email ?? '').toLowerCase()))).filter(
      (r) => r.kind === 'outcome' && r.outcome === 'cancelled',
    );
    expect(rows.map((r) => r.reason)).toEqual([
      `active again: last active ${ago(10 * 60_000).slice(0, 10)}, GetDashboard, from CloudTrail`,
    ]);
  });
});

describe('idle tasks judged again before the call: keep groups joined or configured after the plan', {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
  }, 120_000);
  afterAll(async () => t?.close());

  it('apply cancels the person who joined a keep group and the member of a keep group configured since, with the kept reason; defers while that group is unlisted; deletes the others', async () => {
    const { org } = t.sandbox;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    const plain = org.people.filter(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1,
    );
    expect(plain.length).toBeGreaterThanOrEqual(4);
    const [joiner, configured, idleToo, reader] = plain as [
      OrgPerson,
      OrgPerson,
      OrgPerson,
      OrgPerson,
    ];
    const userOf = (p: OrgPerson) => p.quickSightUsers[0] as QuickSightUser;
    const lapsed = new Set([joiner, configured, idleToo].map((p) => userOf(p).userName));
    await coverActivity(activity, [org.region], { from: ago(90 * DAY), to: ago(15 * 60_000) });
    for (const u of org.quickSight.list())
      await activity.recordActivity(org.namespace, activityUserName(u), {
        at: ago((lapsed.has(u.userName) ? 70 : 5) * DAY),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
    // A keep group configured at the plan, with someone else in it.
    const mail = addKeepGroup(org, `report-mail@${org.domain}`, [reader]);
    const atPlan = { ...GUARD, IDSYNC_INACTIVE_KEEP_GROUPS: mail };
    expect((await runCliOn(t.sandbox, ['snapshot'], atPlan)).code).toBe(0);
    const planned = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '60', '--apply', '--max-deletions', '500', '--json'],
      { ...atPlan, ...DENIED },
    );
    expect(planned.code, planned.stderr).toBe(4);
    const taskOf = async (p: OrgPerson) =>
      (await tasks.get(taskIdFor(org.namespace, userOf(p)))) as Task;
    for (const p of [joiner, configured, idleToo])
      expect(await taskOf(p)).toMatchObject({ status: 'FAILED', source: 'inactive' });

    // Since the plan: `joiner` joins the keep group; a second keep group, with `configured` in
    // it, is configured.
    org.google.addMember(mail, {
      id: joiner.googleId,
      email: joiner.email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
    const team = addKeepGroup(org, `wall-screens@${org.domain}`, [configured]);
    const now = { ...GUARD, IDSYNC_INACTIVE_KEEP_GROUPS: `${mail},${team}` };
    const deletesOf = (p: OrgPerson) => org.quickSight.deletes.get(userOf(p).userName) ?? 0;

    // The newest snapshot did not list the new group: nothing is judged, nothing deleted.
    const unlisted = await runCliOn(t.sandbox, ['apply', '--json'], now);
    expect(unlisted.code, unlisted.stderr).toBe(4);
    expect(JSON.parse(unlisted.stdout).summary).toMatchObject({ deleted: 0, deferred: 3 });
    expect(JSON.parse(unlisted.stdout).summary.deferReason).toContain(
      `did not list keep group ${team}`,
    );
    for (const p of [joiner, configured, idleToo]) expect(deletesOf(p)).toBe(0);

    expect((await runCliOn(t.sandbox, ['snapshot'], now)).code).toBe(0);
    const applied = await runCliOn(t.sandbox, ['apply', '--json'], now);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).summary).toMatchObject({
      deleted: 1,
      cancelled: 2,
      deferred: 0,
      failed: 0,
    });
    expect(deletesOf(idleToo)).toBe(1);
    for (const [p, group] of [
      [joiner, mail],
      [configured, team],
    ] as const) {
      expect(deletesOf(p)).toBe(0);
      expect(await taskOf(p)).toMatchObject({ status: 'CANCELLED', outcome: 'cancelled' });
      const rows = (await collect(audit.byEmail(p.email.toLowerCase()))).filter(
        (r) => r.kind === 'outcome' && r.outcome === 'cancelled',
      );
      expect(rows.map((r) => r.reason)).toEqual([
        `kept: member of ${group} (IDSYNC_INACTIVE_KEEP_GROUPS)`,
      ]);
    }
  });
});
