import { describe, expect, it } from 'vitest';
import { planRemovals } from '../../../../services/removals/plan/plan-removals.js';
import {
  planRoleChanges,
  roleChangeMonthly,
  unlistedMappedGroups,
} from '../../../../services/removals/plan/role-changes.js';
import { runPlan } from '../../../../services/removals/plan/run-plan.js';
import type { PlanConfig } from '../../../../shared/config/index.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import type { SnapshotManifest } from '../../../../shared/dynamo/snapshot-store.js';
import { parseGroupRoles } from '../../../../shared/group-roles.js';
import { createLogger } from '../../../../shared/logger.js';
import { DEFAULT_PRICES } from '../../../../shared/prices.js';
import { buildProtection } from '../../../../shared/removal-rules.js';
import { type NewTask, pendingTask, type Task } from '../../../../shared/task.js';

const ROLES = (() => {
  const p = parseGroupRoles('authors@x.com=AUTHOR,readers@x.com=READER');
  if (!p.ok) throw new Error(p.message);
  return p.map;
})();

function user(name: string, role: string, identityType = 'QUICKSIGHT'): QuickSightUser {
  return {
    userName: name,
    email: name,
    role,
    identityType,
    arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${name}`,
  };
}

const noProtection = buildProtection([], []);

describe('planRoleChanges (pure)', () => {
  const users = [
    user('moved-up@x.com', 'READER'),
    user('moved-down@x.com', 'AUTHOR'),
    user('both@x.com', 'READER'),
    user('same@x.com', 'READER'),
    user('nogroup@x.com', 'READER'),
    user('idc@x.com', 'READER', 'IAM_IDENTITY_CENTER'),
    user('restricted@x.com', 'RESTRICTED_READER'),
  ];
  const memberGroups = new Map<string, string[]>([
    ['moved-up@x.com', ['authors@x.com']],
    ['moved-down@x.com', ['readers@x.com']],
    ['both@x.com', ['authors@x.com', 'readers@x.com']],
    ['same@x.com', ['readers@x.com']],
    ['nogroup@x.com', ['other@x.com']],
    ['idc@x.com', ['authors@x.com']],
    ['restricted@x.com', ['authors@x.com']],
  ]);

  it('upgrade and downgrade to the broadest group role, with the money; others untouched', () => {
    const { decisions, notes } = planRoleChanges({
      quickSightUsers: users,
      memberGroups,
      groupRoles: ROLES,
      protection: noProtection,
    });
    expect(
      decisions.map((d) => [d.email, d.decision, d.targetRole, d.monthlyChange, d.source]),
    ).toEqual([
      ['both@x.com', 'upgrade', 'AUTHOR', 21, 'group_role'],
      ['moved-down@x.com', 'downgrade', 'READER', -21, 'group_role'],
      ['moved-up@x.com', 'upgrade', 'AUTHOR', 21, 'group_role'],
    ]);
    expect(decisions[1]?.reason).toBe(
      'downgrade moved-down@x.com AUTHOR → READER: in readers@x.com (-$21/month)',
    );
    // The IdC user's role follows its IdC groups: noted, no decision, no call.
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^idc@x\.com \[READER\] of idc@x\.com: the groups give AUTHOR/);
    expect(notes[0]).toMatch(/idsync makes no call/);
  });

  it('a protected role or user is never changed: `protected`, no target role', () => {
    const { decisions } = planRoleChanges({
      quickSightUsers: users,
      memberGroups,
      groupRoles: ROLES,
      protection: buildProtection(['AUTHOR'], ['both@x.com']),
    });
    const byEmail = new Map(decisions.map((d) => [d.email, d]));
    expect(byEmail.get('moved-down@x.com')).toMatchObject({ decision: 'protected' });
    expect(byEmail.get('moved-down@x.com')?.targetRole).toBeUndefined();
    expect(byEmail.get('moved-down@x.com')?.reason).toMatch(
      /^role AUTHOR is protected: downgrade AUTHOR → READER/,
    );
    expect(byEmail.get('both@x.com')).toMatchObject({ decision: 'protected' });
    expect(byEmail.get('moved-up@x.com')).toMatchObject({ decision: 'upgrade' });
  });

  it('prices: the difference of the two roles with IDSYNC_PRICES', () => {
    expect(roleChangeMonthly(DEFAULT_PRICES, 'AUTHOR_PRO', 'READER_PRO')).toBe(-20);
    expect(roleChangeMonthly({ ...DEFAULT_PRICES, AUTHOR: 18.5 }, 'READER', 'AUTHOR')).toBe(15.5);
  });

  it('a mapped group the snapshot did not list is named', () => {
    expect(unlistedMappedGroups(ROLES, { 'Readers@x.com': 3 })).toEqual(['authors@x.com']);
    expect(unlistedMappedGroups(ROLES, { 'readers@x.com': 0, 'authors@x.com': 1 })).toEqual([]);
  });
});

describe('role changes in the plan: guarded with the deletions', () => {
  const base = {
    currentMembers: new Set(['moved-up@x.com', 'moved-down@x.com']),
    protectedRoles: [],
    protectedUsers: [],
  };
  const changes = planRoleChanges({
    quickSightUsers: [user('moved-up@x.com', 'READER'), user('moved-down@x.com', 'AUTHOR')],
    memberGroups: new Map([
      ['moved-up@x.com', ['authors@x.com']],
      ['moved-down@x.com', ['readers@x.com']],
    ]),
    groupRoles: ROLES,
    protection: noProtection,
  }).decisions;
  const quickSightUsers = [
    user('moved-up@x.com', 'READER'),
    user('moved-down@x.com', 'AUTHOR'),
    user('leaver@x.com', 'READER'),
    ...Array.from({ length: 20 }, (_, i) => user(`r${i}@x.com`, 'READER')),
  ];

  it('a deletion and two role changes are three against IDSYNC_MAX_DELETIONS=2: all blocked', () => {
    const plan = planRemovals({
      ...base,
      quickSightUsers,
      removals: [{ email: 'leaver@x.com', source: 'group_removal' }],
      roleChanges: changes,
      guard: { maxDeletions: 2, maxDeletionPercent: 100 },
    });
    expect(plan.guard.tripped).toBe(true);
    expect(plan.guard.reasons[0]).toBe(
      '3 changes (1 deletion, 2 role changes) exceed IDSYNC_MAX_DELETIONS=2',
    );
    expect(plan.counts).toMatchObject({ blocked: 3, delete: 0, upgrade: 0, downgrade: 0 });
    // A blocked role change keeps its target: it is held as a BLOCKED change_role task.
    expect(plan.decisions.filter((d) => d.targetRole).map((d) => d.decision)).toEqual([
      'blocked',
      'blocked',
    ]);
  });

  it('within the limit: delete, upgrade, downgrade; a user the plan deletes gets no role change', () => {
    const plan = planRemovals({
      ...base,
      quickSightUsers,
      removals: [
        { email: 'leaver@x.com', source: 'group_removal' },
        { email: 'moved-up@x.com', source: 'csv' },
      ],
      roleChanges: changes,
      guard: { maxDeletions: 3, maxDeletionPercent: 100 },
    });
    expect(plan.guard.tripped).toBe(false);
    expect(plan.decisions.map((d) => [d.email, d.decision])).toEqual([
      ['leaver@x.com', 'delete'],
      ['moved-down@x.com', 'downgrade'],
      ['moved-up@x.com', 'delete'],
    ]);
  });
});

/** In-memory stores for runPlan: the task store keeps rows and applies the status rules. */
function memoryStores(opts: { groups: Record<string, number>; rows: Array<[string, string]> }) {
  const tasks = new Map<string, Task>();
  const latest = {
    runId: 'snap-1',
    startedAt: '2026-12-01T00:00:00.000Z',
    status: 'COMPLETE',
    sources: { google: { groups: opts.groups } },
  } as unknown as SnapshotManifest;
  const users = [user('up@x.com', 'READER'), user('down@x.com', 'AUTHOR')];
  return {
    tasks,
    deps: {
      snapshots: {
        latestComplete: async () => [latest],
        async *googleRows() {
          yield opts.rows.map(([group, email]) => ({
            group,
            email,
            rawEmail: email,
            googleId: email,
          }));
        },
        async *quickSightUsers() {
          yield users;
        },
      },
      ledger: {
        async *entries() {},
      },
      events: { pending: async () => [], markPlanned: async () => {} },
      tasks: {
        enqueue: async (t: NewTask, blockReason?: string) => {
          const live = tasks.get(t.taskId);
          if (live && !['DONE', 'CANCELLED'].includes(live.status)) return 'exists' as const;
          tasks.set(t.taskId, pendingTask(t, '2026-12-01T01:00:00.000Z', blockReason));
          return 'created' as const;
        },
        get: async (id: string) => tasks.get(id),
        cancel: async (id: string, reason: string) => {
          const live = tasks.get(id);
          if (!live || !['PENDING', 'FAILED', 'BLOCKED'].includes(live.status)) return false;
          tasks.set(id, { ...live, status: 'CANCELLED', cancelReason: reason });
          return true;
        },
        withdraw: async () => false,
        async *byStatus() {},
      },
      audit: { appendBatched: async () => [] },
      logger: createLogger({ level: 'silent' }),
    },
  };
}

const settings: PlanConfig = {
  maxDeletions: 10,
  maxDeletionPercent: 100,
  protectedRoles: [],
  protectedUsers: [],
  guardWindowHours: 24,
  groupRoles: ROLES,
};
const options = {
  runId: 'plan-1',
  namespace: 'default',
  settings,
  includeLeavers: true,
  persistTasks: true,
};
const groups = { 'authors@x.com': 1, 'readers@x.com': 1 };
const rows: Array<[string, string]> = [
  ['authors@x.com', 'up@x.com'],
  ['readers@x.com', 'down@x.com'],
];

describe('runPlan with IDSYNC_GROUP_ROLES', () => {
  it('queues one change_role task per user (`<namespace>#<user>#role`), idempotent', async () => {
    const m = memoryStores({ groups, rows });
    const result = await runPlan(m.deps as never, options);
    expect(result.plan.counts).toMatchObject({ upgrade: 1, downgrade: 1, delete: 0 });
    expect(result.tasks.created).toBe(2);
    expect(m.tasks.get('default#up@x.com#role')).toMatchObject({
      status: 'PENDING',
      action: 'change_role',
      role: 'READER',
      targetRole: 'AUTHOR',
      source: 'group_role',
    });
    expect(m.tasks.get('default#down@x.com#role')).toMatchObject({
      action: 'change_role',
      targetRole: 'READER',
    });
    const again = await runPlan(m.deps as never, { ...options, runId: 'plan-2' });
    expect(again.tasks).toMatchObject({ created: 0, existing: 2 });
  });

  it('a dry run (persistTasks false) queues nothing', async () => {
    const m = memoryStores({ groups, rows });
    const result = await runPlan(m.deps as never, { ...options, persistTasks: false });
    expect(result.plan.counts.upgrade).toBe(1);
    expect(m.tasks.size).toBe(0);
  });

  it('a mapped group the snapshot did not list: no role change at all, and a note says why', async () => {
    const m = memoryStores({ groups: { 'readers@x.com': 1 }, rows: [rows[1] as [string, string]] });
    const result = await runPlan(m.deps as never, options);
    expect(result.plan.counts).toMatchObject({ upgrade: 0, downgrade: 0 });
    expect(result.roleNotes?.[0]).toMatch(
      /no role changed: the snapshot did not list authors@x\.com/,
    );
    expect(m.tasks.size).toBe(0);
  });

  it('a live task with another target: a PENDING one is replaced, one at work is left alone', async () => {
    const m = memoryStores({ groups, rows });
    const old = (id: string, status: Task['status'], targetRole: string): Task => ({
      ...pendingTask(
        {
          taskId: id,
          runId: 'plan-0',
          email: 'x',
          userName: 'x',
          arn: 'x',
          role: 'READER',
          identityType: 'QUICKSIGHT',
          source: 'group_role',
          reason: 'old',
          action: 'change_role',
          targetRole,
        },
        '2026-11-30T00:00:00.000Z',
      ),
      status,
    });
    m.tasks.set('default#up@x.com#role', old('default#up@x.com#role', 'PENDING', 'AUTHOR_PRO'));
    m.tasks.set(
      'default#down@x.com#role',
      old('default#down@x.com#role', 'IN_PROGRESS', 'READER_PRO'),
    );
    const result = await runPlan(m.deps as never, options);
    expect(m.tasks.get('default#up@x.com#role')).toMatchObject({
      status: 'PENDING',
      targetRole: 'AUTHOR',
      runId: 'plan-1',
    });
    expect(m.tasks.get('default#down@x.com#role')).toMatchObject({
      status: 'IN_PROGRESS',
      targetRole: 'READER_PRO',
    });
    expect(result.tasks).toMatchObject({ created: 1, existing: 1 });
  });
});
