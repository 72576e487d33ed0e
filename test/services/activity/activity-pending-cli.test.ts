import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import type { IdcUser } from '../../../shared/domain.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `activity sync` attributes only against a COMPLETE snapshot, and keeps on-behalf-of events of
 * an IdC user the identity map does not know yet pending until it does (sandbox, real clients).
 */

const DAY = 86_400_000;

describe('activity sync before the first snapshot', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { events: 100, seed: 7 } });
  }, 60_000);
  afterAll(async () => t?.close());

  it('reads nothing, marks no coverage and exits 3 with what to do', async () => {
    const calls = t.sandbox.cloudTrail.faults.counters.calls;
    const out = await runCliOn(t.sandbox, ['activity', 'sync', '--json']);
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(
      /no COMPLETE snapshot yet: run idsync snapshot first; activity can only be attributed against one/,
    );
    expect(t.sandbox.cloudTrail.faults.counters.calls).toBe(calls);
    const store = new DynamoActivityStore(t.doc, t.names.activity);
    expect(await store.cursorOf(t.sandbox.org.region).getCursor()).toMatchObject({ version: 0 });
    expect(await store.syncRegions()).toBeUndefined();
    expect(await store.coverage()).toEqual({});
    // The runbook order then works: snapshot, then sync. Registrations made by a principal the
    // ignored list names (the sandbox's admin role here) still date the users they registered.
    await snapshotOk(t.sandbox);
    const { org, activity } = t.sandbox;
    const after = await runCliOn(t.sandbox, ['activity', 'sync', '--json'], {
      IDSYNC_ACTIVITY_IGNORED_PRINCIPALS: `${t.sandbox.env.IDSYNC_ACTIVITY_IGNORED_PRINCIPALS},${org.roles.admin.name}`,
    });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).covered).toBeDefined();
    const registered = activity.users.filter((u) => u.registeredAt);
    expect(registered.length).toBeGreaterThan(0);
    for (const u of registered) {
      const record = await store.get(activityKey(org.namespace, u.userName));
      expect(record?.created?.at, u.userName).toBe(u.registeredAt);
    }
  }, 90_000);
});

describe('on-behalf-of events of an IdC user the identity map does not know yet', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 5 } });
  }, 60_000);
  afterAll(async () => t?.close());

  it('keep that user out of the idle list, and are attributed once a snapshot teaches the map', async () => {
    const { org, activity } = t.sandbox;
    const story = new Map(activity.users.map((u) => [u.userName, u.story]));
    const found = org.people
      .flatMap((p) => p.quickSightUsers.map((u) => ({ person: p, user: u })))
      .find(
        (x) =>
          x.user.identityType === 'IAM_IDENTITY_CENTER' &&
          x.user.userName !== 'N/A' &&
          x.user.role === 'READER' &&
          !x.person.protected &&
          ['lapsed', 'never'].includes(story.get(x.user.userName) ?? ''),
      );
    if (!found) throw new Error('no idle IAM Identity Center Reader in the org');
    const idcUserId = (found.user.principalId ?? '').split('/').at(-1) ?? '';
    // The identity map has not seen the IdC user yet, and the QuickSight user's listing does not
    // carry its IdC user id: nothing ties the events to it but the map.
    const idcUser = org.identityStore.get(idcUserId) as IdcUser;
    expect(idcUser).toBeDefined();
    org.identityStore.deleteUser(idcUserId);
    org.quickSight.delete(found.user);
    const { principalId: _dropped, ...withoutPrincipal } = found.user;
    org.quickSight.register(withoutPrincipal);
    const viewedAt = new Date(Math.floor((Date.now() - 5 * DAY) / 1000) * 1000);
    t.sandbox.cloudTrailState.add([
      quickSightEvent({
        accountId: org.accountId,
        region: org.region,
        time: viewedAt,
        eventName: 'GetDashboard',
        actor: { kind: 'identity-center', userId: idcUserId, identityStoreId: org.identityStoreId },
      }),
    ]);
    const name = activityUserName(found.user);

    await snapshotOk(t.sandbox);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    const first = JSON.parse(sync.stdout);
    expect(first.pending).toBeGreaterThanOrEqual(1);
    expect(first.pendingUsers).toBe(1);
    expect(first.pendingEvents).toBe(first.pending);
    expect(sync.stdout).not.toContain(idcUser.userName);

    const judged = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--json']);
    const out = JSON.parse(judged.stdout);
    const idle = (out.idle as { userName: string }[]).map((u) => u.userName);
    expect(idle).not.toContain(name);
    // Only users the events could belong to: other idle Readers stay idle.
    expect(idle.length).toBeGreaterThan(3);
    const text = await runCliOn(t.sandbox, ['inactive', '--days', '60']);
    expect(text.stdout).not.toMatch(new RegExp(`delete[^\\n]*${found.user.userName}`));

    // A snapshot teaches the map the IdC user; the next sync attributes the kept events.
    org.identityStore.createUser(idcUser);
    await snapshotOk(t.sandbox);
    const again = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.pendingResolved).toBe(first.pending);
    expect(second).toMatchObject({ pendingUsers: 0, pendingEvents: 0 });
    const store = new DynamoActivityStore(t.doc, t.names.activity);
    const record = await store.get(activityKey(org.namespace, name));
    expect(record?.last).toEqual({
      at: viewedAt.toISOString(),
      eventName: 'GetDashboard',
      source: 'cloudtrail',
    });
    expect(await store.pendingEvents()).toEqual([]);
    const later = JSON.parse(
      (await runCliOn(t.sandbox, ['inactive', '--days', '60', '--json'])).stdout,
    );
    expect((later.idle as { userName: string }[]).map((u) => u.userName)).not.toContain(name);
  }, 180_000);
});
