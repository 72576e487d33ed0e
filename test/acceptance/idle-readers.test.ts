import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickSightEvent } from '../../services/sandbox/cloudtrail/quicksight-events.js';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../shared/activity-record.js';
import type { QuickSightUser } from '../../shared/domain.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Idle-Reader acceptance, on the sandbox with the real SDK clients (CloudTrail, QuickSight,
 * DynamoDB) behind the CLI: Readers active within 60 days, active only 61–89 days ago, never
 * active, registered 10 days ago without activity, active only through on-behalf-of events
 * (IAM Identity Center users), and idle Authors. `activity sync` then `inactive --days 60
 * --apply` deletes exactly the idle Readers, once each, and touches nobody else.
 */

const DAY = 86_400_000;

describe('idle Readers end to end', { timeout: 180_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 5 } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('activity sync, then inactive --days 60 --apply deletes exactly the idle Readers once each', async () => {
    const { org, activity } = t.sandbox;
    const people = org.people;
    const story = new Map(activity.users.map((u) => [u.userName, u.story]));
    const users = people.flatMap((p) => p.quickSightUsers.map((u) => ({ person: p, user: u })));
    const isReader = (u: QuickSightUser) => u.role === 'READER' || u.role === 'READER_PRO';

    // An IAM Identity Center Reader whose only activity is on-behalf-of events, 5 days ago.
    const idc = users.find(
      (x) =>
        x.user.identityType === 'IAM_IDENTITY_CENTER' &&
        x.user.userName !== 'N/A' &&
        !x.person.protected,
    );
    if (!idc) throw new Error('no IAM Identity Center Reader in the org');
    t.sandbox.cloudTrailState.add([
      quickSightEvent({
        accountId: org.accountId,
        region: org.region,
        time: new Date(Math.floor((Date.now() - 5 * DAY) / 1000) * 1000),
        eventName: 'GetDashboard',
        actor: {
          kind: 'identity-center',
          userId: (idc.user.principalId ?? '').split('/').at(-1) ?? '',
          identityStoreId: org.identityStoreId,
        },
      }),
    ]);
    const kept = (name: string) => name === idc.user.userName;

    const idleReaders = users.filter(
      (x) =>
        isReader(x.user) &&
        (story.get(x.user.userName) === 'lapsed' || story.get(x.user.userName) === 'never') &&
        !kept(x.user.userName),
    );
    const named = idleReaders.filter((x) => !x.person.protected && x.person.kind !== 'stranger');
    // IAM_IDENTITY_CENTER users are never deleted: the plan lists them for the operator
    // (shared/quicksight-user-rules.ts); the QuickSight stand-in refuses their DeleteUser.
    const groupEnded = named.filter((x) => x.user.identityType === 'IAM_IDENTITY_CENTER');
    const expected = named
      .filter((x) => x.user.identityType !== 'IAM_IDENTITY_CENTER')
      .map((x) => activityUserName(x.user))
      .sort();
    // Every kind of user the issue names is in the scenario.
    const count = (f: (x: (typeof users)[number]) => boolean) => users.filter(f).length;
    expect(
      count((x) => isReader(x.user) && story.get(x.user.userName) === 'active'),
    ).toBeGreaterThan(5);
    expect(
      count((x) => isReader(x.user) && story.get(x.user.userName) === 'lapsed'),
    ).toBeGreaterThan(3);
    expect(
      count((x) => isReader(x.user) && story.get(x.user.userName) === 'never'),
    ).toBeGreaterThan(3);
    expect(count((x) => isReader(x.user) && story.get(x.user.userName) === 'new')).toBeGreaterThan(
      0,
    );
    expect(
      count((x) => !isReader(x.user) && story.get(x.user.userName) === 'never'),
    ).toBeGreaterThan(0);
    // Idle but for the on-behalf-of event: kept only if that event is attributed to it.
    expect(['lapsed', 'never']).toContain(story.get(idc.user.userName));
    expect(expected.length).toBeGreaterThan(5);

    await snapshotOk(t.sandbox);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90']);
    expect(sync.code, sync.stderr).toBe(0);

    const before = new Map(org.quickSight.list().map((u) => [activityUserName(u), u]));
    const applied = await runCliOn(t.sandbox, [
      'inactive',
      '--days',
      '60',
      '--apply',
      '--max-deletions',
      '500',
      '--json',
    ]);
    expect(applied.code, applied.stderr).toBe(0);
    const out = JSON.parse(applied.stdout);
    expect(out.applied.deleted).toBe(expected.length);
    expect(out.applied.failed).toBe(0);

    // Exactly the idle Readers, each once; nobody else.
    expect([...org.quickSight.deletes.keys()].sort()).toEqual(expected);
    expect([...org.quickSight.deletes.values()].every((n) => n === 1)).toBe(true);
    const after = new Set(org.quickSight.list().map(activityUserName));
    for (const [key, u] of before) {
      expect(after.has(key), `${key} (${u.role}, ${story.get(u.userName)})`).toBe(
        !expected.includes(key),
      );
    }
    // Authors (idle or not), the new Reader, the on-behalf-of Reader and the active ones stay.
    for (const x of users) {
      const s = story.get(x.user.userName);
      if (!isReader(x.user) || s === 'active' || s === 'new' || kept(x.user.userName)) {
        expect(after.has(activityUserName(x.user))).toBe(true);
      }
    }
    // The reasons say what was seen.
    const decisions = out.plan.plan.decisions as Array<{
      decision: string;
      reason: string;
      quickSightUser?: { userName: string };
    }>;
    const lapsed = idleReaders.find(
      (x) => story.get(x.user.userName) === 'lapsed' && expected.includes(activityUserName(x.user)),
    );
    const reasonOf = (name?: string) =>
      decisions.find((d) => d.quickSightUser?.userName === name)?.reason ?? '';
    expect(reasonOf(lapsed?.user.userName)).toMatch(
      /is idle; named by idle rule \(last active \d{4}-\d\d-\d\d, (GetDashboard|ListDashboards|DescribeDashboard), from CloudTrail\)/,
    );
    const never = idleReaders.find(
      (x) => story.get(x.user.userName) === 'never' && expected.includes(activityUserName(x.user)),
    );
    expect(reasonOf(never?.user.userName)).toMatch(/no activity since the record began on \d{4}-/);

    // Idle IdC-native Readers: ends_with_group, the groups to leave named, no call made.
    expect(groupEnded.length).toBeGreaterThan(0);
    for (const x of groupEnded) {
      const d = decisions.find((d) => d.quickSightUser?.userName === x.user.userName);
      expect(d?.decision).toBe('ends_with_group');
      expect(d?.reason).toContain(`remove ${x.person.email} from `);
      expect(after.has(activityUserName(x.user))).toBe(true);
    }

    // Once each: a new snapshot and a second run delete nothing more.
    await snapshotOk(t.sandbox);
    const again = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--apply', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).plan.plan.counts.delete).toBe(0);
    expect([...org.quickSight.deletes.values()].every((n) => n === 1)).toBe(true);
  });
});
