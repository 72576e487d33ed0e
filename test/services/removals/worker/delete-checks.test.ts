import { describe, expect, it } from 'vitest';
import {
  createBeforeDelete,
  type IdleChecks,
  type SnapshotView,
} from '../../../../services/removals/worker/delete-checks.js';
import type { ActivityRecord, Span } from '../../../../shared/activity-record.js';
import type { IdentityRecord, QuickSightUser } from '../../../../shared/domain.js';
import type { PendingEvidence } from '../../../../shared/pending-events.js';
import { scopedUserKey } from '../../../../shared/quicksight-user-rules.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

/**
 * The before-delete check's idle part (services/removals/worker/delete-checks.ts), with in-memory ports:
 * which tasks are judged again, the one lazy catch-up of a stale record, and what happens when
 * it fails or is not allowed (the worker Lambda); the plan's keep groups and pending events
 * applied again (services/removals/idle/idle-judgement.ts), each input read once per run and only when needed.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SETTINGS = { days: 60, roles: ['READER'], maxLagMs: 2 * HOUR };

const idleTask = (n: number): Task => ({
  ...SAMPLE_TASK,
  taskId: `default#Role/u${n}@example.com`,
  userName: `Role/u${n}@example.com`,
  email: `u${n}@example.com`,
  source: 'inactive',
  idleDays: 60,
  createdAt: iso(NOW - 2 * DAY),
});

/** An activity store whose coverage ends at `coveredTo`; records by user name (lower case). */
function memoryActivity(
  coveredTo: number,
  records: Record<string, ActivityRecord> = {},
  pending: PendingEvidence[] = [],
) {
  const state = {
    coveredTo,
    reads: 0,
    pendingReads: 0,
    accounts: [] as Array<string | undefined>,
    /** Accounts other than the home one that `activity sync` covered (the home one always is). */
    otherCovered: new Set<string>(),
  };
  const activity: IdleChecks['activity'] = {
    coverageOfAccount: async (account) => {
      state.reads++;
      state.accounts.push(account);
      if (account !== undefined && !state.otherCovered.has(account)) return {};
      const cloudtrail: Span = { from: iso(NOW - 90 * DAY), to: iso(state.coveredTo) };
      return { cloudtrail };
    },
    get: async (key: string) => records[key],
    pendingEvents: async () => {
      state.pendingReads++;
      return pending.map((p) => ({ ...p, updatedAt: iso(NOW), version: 1 }));
    },
  };
  return { state, activity };
}

/** An identity map holding `records`; counts its lookups. */
function memoryIdentities(records: IdentityRecord[] = []) {
  const state = { lookups: 0 };
  const identities: IdleChecks['identities'] = {
    get: async (userId) => {
      state.lookups++;
      return records.find((r) => r.userId === userId);
    },
    findByEmail: async (email) => {
      state.lookups++;
      return records.filter((r) => r.email === email);
    },
  };
  return { state, identities };
}

const NO_IDENTITIES = memoryIdentities().identities;

function checks(
  idle: Omit<IdleChecks, 'identities'> & Partial<IdleChecks>,
  snapshot?: SnapshotView,
) {
  let slots = 0;
  return {
    beforeDelete: createBeforeDelete({
      settings: { protectedRoles: [], protectedUsers: [], maxDeletions: 100 },
      snapshot,
      guard: {
        reserve: async () => {
          slots++;
          return 'reserved' as const;
        },
      },
      idle: { identities: NO_IDENTITIES, ...idle },
      now: () => NOW,
    }),
    slots: () => slots,
  };
}

describe('createBeforeDelete: idle tasks judged again', () => {
  it('catches a stale record up once for the whole run, lazily, then judges every idle task', async () => {
    const { state, activity } = memoryActivity(NOW - 3 * HOUR, {
      'default#role/u2@example.com': {
        userKey: 'default#role/u2@example.com',
        namespace: 'default',
        userName: 'Role/u2@example.com',
        last: { at: iso(NOW - HOUR), eventName: 'GetDashboard', source: 'cloudtrail' },
        spans: {},
        updatedAt: iso(NOW),
        version: 1,
      },
    });
    let catchUps = 0;
    const { beforeDelete, slots } = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity,
      catchUp: async () => {
        catchUps++;
        await new Promise((r) => setTimeout(r, 20));
        state.coveredTo = NOW - 15 * 60_000;
      },
    });
    // A leaver's task never needs the record: no catch-up for it.
    expect(await beforeDelete({ ...SAMPLE_TASK })).toBe('proceed');
    expect(catchUps).toBe(0);
    const answers = await Promise.all([1, 2, 3].map((n) => beforeDelete(idleTask(n))));
    expect(catchUps).toBe(1);
    expect(answers).toEqual([
      'proceed',
      { skip: 'active again: last active 2026-12-07, GetDashboard, from CloudTrail' },
      'proceed',
    ]);
    // Only the tasks that proceed take a guard slot (the leaver's and two idle ones).
    expect(slots()).toBe(3);
    expect(await beforeDelete(idleTask(4))).toBe('proceed');
    expect(catchUps).toBe(1);
  });

  it('defers when the catch-up fails or leaves the record stale, and reports the error once', async () => {
    const { activity } = memoryActivity(NOW - 3 * HOUR);
    const errors: unknown[] = [];
    let catchUps = 0;
    const { beforeDelete, slots } = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity,
      catchUp: async () => {
        catchUps++;
        throw new Error('CloudTrail unreachable');
      },
      onCatchUpError: (e) => errors.push(e),
    });
    const reason = `the activity record ends at ${iso(NOW - 3 * HOUR)}, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync`;
    expect(await beforeDelete(idleTask(1))).toEqual({ defer: reason });
    expect(await beforeDelete(idleTask(2))).toEqual({ defer: reason });
    expect(catchUps).toBe(1);
    expect(errors).toHaveLength(1);
    expect(slots()).toBe(0);
  });

  it('never catches up without a way to (the worker Lambda): a stale record defers', async () => {
    const { activity } = memoryActivity(NOW - 2 * HOUR - 1);
    const { beforeDelete } = checks({ settings: SETTINGS, namespace: 'default', activity });
    expect(await beforeDelete(idleTask(1))).toMatchObject({ defer: expect.any(String) });
    const fresh = memoryActivity(NOW - 2 * HOUR);
    const ok = checks({ settings: SETTINGS, namespace: 'default', activity: fresh.activity });
    expect(await ok.beforeDelete(idleTask(1))).toBe('proceed');
  });

  it('judges each idle task by its own QuickSight account’s coverage, as the plan did', async () => {
    const { state, activity } = memoryActivity(NOW - 15 * 60_000);
    const { beforeDelete } = checks({ settings: SETTINGS, namespace: 'default', activity });
    const other = { ...idleTask(2), scope: '333333333333/default' };
    // Another account no sync has covered holds its own tasks, not the home account's.
    expect(await beforeDelete(idleTask(1))).toBe('proceed');
    expect(await beforeDelete(other)).toEqual({
      defer: 'the activity record has no CloudTrail coverage: run idsync activity sync',
    });
    state.otherCovered.add('333333333333');
    expect(await beforeDelete({ ...other })).toBe('proceed');
    expect(state.accounts).toEqual([undefined, '333333333333', '333333333333']);
  });

  it('protection still comes first: a protected idle user is cancelled without reading the record', async () => {
    const { state, activity } = memoryActivity(NOW - 3 * HOUR);
    const beforeDelete = createBeforeDelete({
      settings: { protectedRoles: ['READER'], protectedUsers: [], maxDeletions: 100 },
      snapshot: undefined,
      guard: { reserve: async () => 'reserved' as const },
      idle: { settings: SETTINGS, namespace: 'default', activity, identities: NO_IDENTITIES },
      now: () => NOW,
    });
    expect(await beforeDelete(idleTask(1))).toMatchObject({
      skip: expect.stringMatching(/^protected now: /),
    });
    expect(state.reads).toBe(0);
  });
});

const END = NOW - 15 * 60_000;
/** The first instant of an idle task's 60 days on a record ending at END. */
const START = END - 60 * DAY;
const KEEP = 'report-mail@example.com';
const KEPT = `kept: member of ${KEEP} (IDSYNC_INACTIVE_KEEP_GROUPS)`;

function listedUser(n: number, over: Partial<QuickSightUser> = {}): QuickSightUser {
  return {
    userName: `Role/u${n}@example.com`,
    email: `u${n}@example.com`,
    role: 'READER',
    identityType: 'IAM',
    arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/Role/u${n}@example.com`,
    ...over,
  };
}

/** The newest COMPLETE snapshot, taken an hour ago, listing `users` and the keep-group rows. */
function view(over: Partial<SnapshotView> = {}, users: QuickSightUser[] = []): SnapshotView {
  return {
    runId: 'snap-2',
    startedAt: iso(NOW - HOUR),
    members: new Set(),
    users: new Map(users.map((u) => [scopedUserKey(u), u])),
    keepRows: [],
    ...over,
  };
}

const pendingItem = (at: number, idcUserId = 'idc-1'): PendingEvidence => ({
  idcUserId,
  newest: { at: iso(at), eventName: 'GetDashboard', source: 'cloudtrail' },
  oldest: { at: iso(at - DAY), eventName: 'GetDashboard', source: 'cloudtrail' },
  events: 3,
});
const PENDING_REASON =
  'not judged again: 3 CloudTrail events of an IdC user the identity map does not know yet are not attributed';

describe('createBeforeDelete: the plan’s keep groups applied again', () => {
  const keepSettings = { ...SETTINGS, keepGroups: [KEEP] };

  it('cancels a person in a keep group now (by the task’s or the listed email) with the kept reason; others proceed', async () => {
    const { activity } = memoryActivity(END);
    const snapshot = view(
      {
        keepGroups: { [KEEP]: 2, 'old-keep@example.com': 1 },
        keepRows: [
          { group: KEEP, email: 'u1@example.com' },
          { group: KEEP, email: 'carol@example.com' },
          // A keep group no longer configured keeps nobody.
          { group: 'old-keep@example.com', email: 'u2@example.com' },
        ],
      },
      [listedUser(3, { email: 'Carol@Example.com' })],
    );
    const { beforeDelete, slots } = checks(
      { settings: keepSettings, namespace: 'default', activity },
      snapshot,
    );
    expect(await beforeDelete(idleTask(1))).toEqual({ skip: KEPT });
    expect(await beforeDelete(idleTask(2))).toBe('proceed');
    expect(await beforeDelete(idleTask(3))).toEqual({ skip: KEPT });
    // Keep groups are for idle pruning only: a leaver's task is not held by them.
    expect(await beforeDelete({ ...SAMPLE_TASK, email: 'u1@example.com' })).toBe('proceed');
    expect(slots()).toBe(2);
  });

  it('defers every idle task while a keep group configured now is unlisted or listed empty', async () => {
    const { activity } = memoryActivity(END);
    const cases: [SnapshotView | undefined, string][] = [
      [
        view({ keepRows: [] }),
        `the newest COMPLETE snapshot (snap-2) did not list keep group ${KEEP} (IDSYNC_INACTIVE_KEEP_GROUPS): run idsync snapshot with it configured first; nobody is judged idle without it`,
      ],
      [
        view({ keepGroups: { [KEEP]: 0 } }),
        `keep group ${KEEP} (IDSYNC_INACTIVE_KEEP_GROUPS) listed no members in snapshot snap-2: an empty listing is not trusted, so nobody is judged idle; check the group, or remove it from the variable`,
      ],
      [
        undefined,
        `no COMPLETE snapshot lists keep group ${KEEP} (IDSYNC_INACTIVE_KEEP_GROUPS): run idsync snapshot; nobody is judged idle without it`,
      ],
    ];
    for (const [snapshot, reason] of cases) {
      const { beforeDelete, slots } = checks(
        { settings: keepSettings, namespace: 'default', activity },
        snapshot,
      );
      expect(await beforeDelete(idleTask(1))).toEqual({ defer: reason });
      expect(await beforeDelete({ ...SAMPLE_TASK })).toBe('proceed');
      expect(slots()).toBe(1);
    }
    // Without keep groups configured, the same snapshots judge as before.
    const none = checks({ settings: SETTINGS, namespace: 'default', activity }, view());
    expect(await none.beforeDelete(idleTask(1))).toBe('proceed');
  });
});

describe('createBeforeDelete: the plan’s pending events applied again', () => {
  it('defers while an unknown IdC user has an event inside the window; 1 ms before it proceeds', async () => {
    for (const [at, answer] of [
      [START, { defer: PENDING_REASON }],
      [END, { defer: PENDING_REASON }],
      [START - 1, 'proceed'],
    ] as const) {
      const { activity } = memoryActivity(END, {}, [pendingItem(at)]);
      const { beforeDelete } = checks({ settings: SETTINGS, namespace: 'default', activity });
      expect(await beforeDelete(idleTask(1))).toEqual(answer);
    }
  });

  it('reads the pending items once per run, only for idle tasks, and asks the identity map only while items are pending', async () => {
    const quiet = memoryActivity(END);
    const map = memoryIdentities();
    const none = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity: quiet.activity,
      identities: map.identities,
    });
    expect(await none.beforeDelete({ ...SAMPLE_TASK })).toBe('proceed');
    expect(quiet.state.pendingReads).toBe(0);
    expect(await Promise.all([1, 2, 3].map((n) => none.beforeDelete(idleTask(n))))).toEqual([
      'proceed',
      'proceed',
      'proceed',
    ]);
    expect(quiet.state.pendingReads).toBe(1);
    expect(map.state.lookups).toBe(0);

    const busy = memoryActivity(END, {}, [pendingItem(END - DAY)]);
    const asked = memoryIdentities();
    const some = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity: busy.activity,
      identities: asked.identities,
    });
    for (const n of [1, 2])
      expect(await some.beforeDelete(idleTask(n))).toEqual({ defer: PENDING_REASON });
    expect(busy.state.pendingReads).toBe(1);
    expect(asked.state.lookups).toBeGreaterThan(0);
  });

  it('reads them again when the coverage a task judges with has moved on (a sync meanwhile wrote new ones first)', async () => {
    const pending: PendingEvidence[] = [];
    const { state, activity } = memoryActivity(END - HOUR, {}, pending);
    const { beforeDelete } = checks({ settings: SETTINGS, namespace: 'default', activity });
    expect(await beforeDelete(idleTask(1))).toBe('proceed');
    expect(await beforeDelete(idleTask(2))).toBe('proceed');
    expect(state.pendingReads).toBe(1);
    // A sync: a pending item first, then the coverage extended.
    pending.push(pendingItem(END - 30 * 60_000));
    state.coveredTo = END;
    expect(await beforeDelete(idleTask(3))).toEqual({ defer: PENDING_REASON });
    expect(state.pendingReads).toBe(2);
  });

  it('proceeds for a user positively someone else: its principal id or its email names another IdC user', async () => {
    const { activity } = memoryActivity(END, {}, [pendingItem(END - DAY, 'idc-1')]);
    const identity = (userId: string, email: string): IdentityRecord => ({
      userId,
      userName: email,
      emails: [email],
      email,
      externalIds: [],
      firstSeen: iso(NOW - 100 * DAY),
      lastSeen: iso(NOW - HOUR),
      history: [],
    });
    const { identities } = memoryIdentities([
      identity('idc-2', 'someone@example.com'),
      identity('idc-3', 'u2@example.com'),
    ]);
    const snapshot = view({}, [
      listedUser(1, { identityType: 'IAM_IDENTITY_CENTER', principalId: 'd-1/idc-2' }),
    ]);
    const { beforeDelete } = checks(
      { settings: SETTINGS, namespace: 'default', activity, identities },
      snapshot,
    );
    // u1 is listed as IAM_IDENTITY_CENTER now: never sent, whatever its activity
    // (shared/quicksight-user-rules.ts), before any pending event is looked at.
    expect(await beforeDelete(idleTask(1))).toEqual({
      skip: expect.stringMatching(/^not sent: IAM_IDENTITY_CENTER user/),
    });
    expect(await beforeDelete(idleTask(2))).toBe('proceed');
    // Nothing says who u4 is: it could be the pending IdC user.
    expect(await beforeDelete(idleTask(4))).toEqual({ defer: PENDING_REASON });
  });
});
