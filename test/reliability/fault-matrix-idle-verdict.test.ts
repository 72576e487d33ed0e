import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrg, SMALL_SPEC } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import { activityUserName } from '../../shared/activity-record.js';
import type { QuickSightUser } from '../../shared/domain.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { type Task, taskIdFor } from '../../shared/task.js';
import { coverActivity } from '../helpers/activity-coverage.js';
import { addFederatedUse } from '../helpers/federated-use.js';
import { runCliOn, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { STACK_LINE, spawnIdsync, until } from './fault-helpers.js';

/**
 * The fault matrix, idle verdict part (RELIABILITY.md, "Fault matrix"): the real CLI killed with
 * SIGKILL, or CloudTrail failing, at the points where the idle verdict could go wrong.
 * - The first snapshot killed part-way: `activity sync` then refuses (no COMPLETE snapshot to
 *   attribute against: exit 3, no LookupEvents call, nothing covered); after a snapshot that
 *   completes, the sync and `inactive` find exactly the idle Readers an uninterrupted run into
 *   separate tables (prefix `ref`) finds.
 * - Idle tasks that waited (FAILED while QuickSight refused), released while the record is stale
 *   and CloudTrail is down: nothing is deleted (deferred, exit 4). With CloudTrail back, a run
 *   SIGKILLed part-way and its rerun delete each still-idle Reader exactly once, and never the one
 *   who used QuickSight after the plan.
 * RELIABILITY_SEED=<n> replays a run.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_207);
const HOUR = 3_600_000;
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_MAX_DELETION_PERCENT: '100',
  IDSYNC_MAX_DELETIONS: '1000',
  IDSYNC_LEASE_SECONDS: '4',
  IDSYNC_RATE: '5',
};
const REF = { ...SETTINGS, IDSYNC_TABLE_PREFIX: 'ref' };
const INACTIVE = ['inactive', '--days', '60', '--json'];
const DENIED = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: '999999999999' };

const idleNames = (stdout: string): string[] =>
  (JSON.parse(stdout).idle as Array<{ userName: string }>).map((u) => u.userName).sort();

describe(`fault matrix: the idle verdict (seed ${SEED})`, { timeout: 180_000 }, () => {
  let t: TestSandbox;
  const random = mulberry32(SEED);
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestSandbox({
      org: buildOrg({ ...SMALL_SPEC, readers: 40 }, 17),
      activity: { seed: 9, events: 150 },
    });
  }, 120_000);
  afterAll(async () => {
    if (lines.length > 0)
      console.info(`fault matrix (idle verdict), seed ${SEED}:\n  ${lines.join('\n  ')}`);
    await t?.close();
  });

  it('first snapshot killed: activity sync refuses and covers nothing; after a snapshot, the idle list equals an uninterrupted run', async () => {
    const listings = () =>
      t.sandbox.quickSight.faults.counters.calls + t.sandbox.google.faults.counters.calls;
    const before = listings();
    const killed = spawnIdsync(t, ['snapshot'], SETTINGS);
    const k = 1 + Math.floor(random() * 3);
    const point = await until(killed.done, () =>
      listings() - before >= k ? `after ${listings() - before} listing calls` : undefined,
    );
    killed.child.kill('SIGKILL');
    const end = await killed.done;
    expect(point, 'the kill landed mid-snapshot').toBeDefined();
    expect(end.signal).toBe('SIGKILL');

    const lookups = t.sandbox.cloudTrail.faults.counters.calls;
    const refused = await runCliOn(t.sandbox, ['activity', 'sync', '--json'], SETTINGS);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/no COMPLETE snapshot yet: run idsync snapshot first/);
    expect(`${refused.stdout}${refused.stderr}`).not.toMatch(STACK_LINE);
    expect(t.sandbox.cloudTrail.faults.counters.calls).toBe(lookups);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    expect(await activity.coverage()).toEqual({});
    const noRecord = await runCliOn(t.sandbox, INACTIVE, SETTINGS);
    expect(noRecord.code, noRecord.stderr).toBe(3);

    for (const argv of [['snapshot'], ['activity', 'sync', '--days', '90', '--json']]) {
      const r = await runCliOn(t.sandbox, argv, SETTINGS);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const argv of [['init-tables'], ['snapshot'], ['activity', 'sync', '--days', '90']]) {
      const r = await runCliOn(t.sandbox, argv, REF);
      expect(r.code, r.stderr).toBe(0);
    }
    const mine = await runCliOn(t.sandbox, INACTIVE, SETTINGS);
    const ref = await runCliOn(t.sandbox, INACTIVE, REF);
    expect(mine.code, mine.stderr).toBe(0);
    expect(ref.code, ref.stderr).toBe(0);
    expect(idleNames(mine.stdout).length).toBeGreaterThanOrEqual(8);
    expect(idleNames(mine.stdout)).toEqual(idleNames(ref.stdout));
    lines.push(
      `first snapshot killed ${point}: sync exit 3, 0 LookupEvents calls, nothing covered; then ${idleNames(mine.stdout).length} idle Readers, as the uninterrupted run`,
    );
  });

  it('idle tasks released on a stale record with CloudTrail down are deferred; with CloudTrail back, a killed run and its rerun delete each still-idle Reader once', async () => {
    const { org } = t.sandbox;
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    const failed = await runCliOn(t.sandbox, [...INACTIVE, '--apply', '--max-deletions', '500'], {
      ...SETTINGS,
      ...DENIED,
    });
    expect(failed.code, failed.stderr).toBe(4);
    const names = new Set(idleNames(failed.stdout));
    // Idle IAM Identity Center users are not queued (ends_with_group): only the others are.
    const idle = org.quickSight
      .list()
      .filter((u) => names.has(activityUserName(u)) && u.identityType !== 'IAM_IDENTITY_CENTER');
    expect(idle.length).toBeGreaterThanOrEqual(8);
    const taskOf = async (u: QuickSightUser) =>
      (await tasks.get(taskIdFor(org.namespace, u))) as Task;
    for (const u of idle) expect((await taskOf(u)).status).toBe('FAILED');

    // One of them uses QuickSight after the plan (an hour ago); the record then goes stale.
    const active = idle.find((u) => u.identityType === 'IAM' && u.userName.includes('/'));
    if (!active) throw new Error('no federated idle Reader');
    addFederatedUse(t, active, Date.now() - HOUR);
    const from = (await activity.coverage()).cloudtrail?.from as string;
    await coverActivity(activity, [org.region], {
      from,
      to: new Date(Date.now() - 3 * HOUR).toISOString(),
    });

    // Released with CloudTrail down: the catch-up fails, every idle task is deferred.
    const deletes = () => org.quickSight.deletes.size;
    const deletedBefore = deletes();
    t.sandbox.cloudTrail.faults.configure({ errorRate: 1 });
    const deferred = await runCliOn(t.sandbox, ['apply', '--json'], SETTINGS);
    t.sandbox.cloudTrail.faults.configure({});
    expect(deferred.code, deferred.stderr).toBe(4);
    expect(JSON.parse(deferred.stdout).summary).toMatchObject({
      deleted: 0,
      deferred: idle.length,
    });
    expect(deletes()).toBe(deletedBefore);
    for (const u of idle) expect((await taskOf(u)).status).toBe('PENDING');

    // CloudTrail back: the run catches the record up, then is killed after k deletions.
    const k = 1 + Math.floor(random() * (idle.length - 2));
    const killed = spawnIdsync(t, ['apply', '--json'], SETTINGS);
    const point = await until(killed.done, () =>
      deletes() - deletedBefore >= k ? `after ${deletes() - deletedBefore} deletions` : undefined,
    );
    killed.child.kill('SIGKILL');
    await killed.done;
    const rerun = await runCliOn(t.sandbox, ['apply', '--json'], SETTINGS);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    for (const u of idle) {
      const count = org.quickSight.deletes.get(activityUserName(u)) ?? 0;
      expect({ user: u.userName, count }).toEqual({
        user: u.userName,
        count: u === active ? 0 : 1,
      });
    }
    expect(await taskOf(active)).toMatchObject({ status: 'CANCELLED' });
    const cancelled: string[] = [];
    for await (const page of new DynamoAuditLog(t.doc, t.names.audit).byEmail(
      (active.email ?? '').toLowerCase(),
    ))
      for (const r of page)
        if (r.kind === 'outcome' && r.outcome === 'cancelled') cancelled.push(r.reason ?? '');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatch(/^active again: last active/);
    lines.push(
      `stale record, CloudTrail down: ${idle.length} idle tasks deferred, 0 deleted; CloudTrail back, killed ${point ?? '(run ended first)'}; rerun: ${idle.length - 1} deleted once each, the active one cancelled`,
    );
  });
});
