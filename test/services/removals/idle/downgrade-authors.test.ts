import { describe, expect, it } from 'vitest';
import { describeDowngrades } from '../../../../services/cli/format-downgrades.js';
import { recheckIdle } from '../../../../services/removals/idle/idle-recheck.js';
import { selectInactive } from '../../../../services/removals/idle/inactive-removals.js';
import { planRemovals } from '../../../../services/removals/plan/plan-removals.js';
import { type ActivityRecord, activityKey } from '../../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { DEFAULT_PRICES } from '../../../../shared/prices.js';
import { pendingTask } from '../../../../shared/task.js';

/**
 * Idle Authors become Readers: judged by their newest authoring event (a viewer who writes
 * nothing is idle as an Author), downgraded (never deleted), priced, and judged the same way
 * again before the call.
 */

const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function user(name: string, role: string, identityType = 'QUICKSIGHT'): QuickSightUser {
  return { userName: name, email: name, role, identityType, arn: `arn:${name}` };
}

function record(name: string, last: number, authored?: number): [string, ActivityRecord] {
  const key = activityKey('default', name);
  return [
    key,
    {
      userKey: key,
      namespace: 'default',
      userName: name,
      last: { at: ago(last), eventName: 'GetDashboard', source: 'cloudtrail' },
      ...(authored === undefined
        ? {}
        : { authored: { at: ago(authored), eventName: 'UpdateAnalysis', source: 'cloudtrail' } }),
      spans: {},
      updatedAt: ago(0),
      version: 1,
    },
  ];
}

const users = [
  user('viewer@x.com', 'AUTHOR'), // views daily, last wrote 200 days ago
  user('writer@x.com', 'AUTHOR'), // wrote 5 days ago
  user('never@x.com', 'AUTHOR_PRO'), // views, never wrote
  user('reader@x.com', 'READER'), // not an Author
  user('idc@x.com', 'AUTHOR', 'IAM_IDENTITY_CENTER'), // never written by idsync
];
const input = {
  namespace: 'default',
  quickSightUsers: users,
  records: new Map([
    record('viewer@x.com', 1, 200),
    record('writer@x.com', 1, 5),
    record('never@x.com', 2),
    record('reader@x.com', 200),
    record('idc@x.com', 1),
  ]),
  cloudtrail: { from: ago(89), to: ago(0) },
  firstListed: new Map<string, string>(),
  managedPeople: new Set(users.map((u) => u.userName)),
  days: 60,
  roles: ['READER'],
  now: NOW,
};

describe('inactive --downgrade-authors: the selection', () => {
  it('judges Authors by authoring, not viewing: idle ones become downgrades to Reader (Pro)', () => {
    const s = selectInactive({ ...input, downgradeAuthors: true });
    expect(s.removals.map((r) => [r.email, r.targetRole])).toEqual([
      ['viewer@x.com', 'READER'],
      ['never@x.com', 'READER_PRO'],
    ]);
    // Without the flag the same users are judged by any activity: no Author is idle (and the
    // idle role is READER only).
    const plain = selectInactive(input);
    expect(plain.removals.map((r) => r.email)).toEqual(['reader@x.com']);
    expect(plain.removals[0]?.targetRole).toBeUndefined();
  });

  it('planned as downgrade decisions (never delete), priced as the difference', () => {
    const s = selectInactive({ ...input, downgradeAuthors: true });
    const plan = planRemovals({
      removals: s.removals,
      quickSightUsers: users,
      currentMembers: new Set(users.map((u) => u.userName)),
      protectedRoles: ['ADMIN', 'ADMIN_PRO'],
      protectedUsers: [],
      guard: { maxDeletions: 10, maxDeletionPercent: 100 },
    });
    expect(plan.counts).toMatchObject({ downgrade: 2, delete: 0 });
    expect(plan.decisions.map((d) => [d.email, d.decision, d.targetRole])).toEqual([
      ['never@x.com', 'downgrade', 'READER_PRO'],
      ['viewer@x.com', 'downgrade', 'READER'],
    ]);
    expect(describeDowngrades(plan.decisions, DEFAULT_PRICES)).toBe(
      'downgrades: 1 AUTHOR → READER × $21 + 1 AUTHOR_PRO → READER_PRO × $20 = $41 a month saved',
    );
    // A protected Author role is never changed.
    const kept = planRemovals({
      removals: s.removals,
      quickSightUsers: users,
      currentMembers: new Set(),
      protectedRoles: ['AUTHOR'],
      protectedUsers: [],
      guard: { maxDeletions: 10, maxDeletionPercent: 100 },
    });
    expect(kept.counts).toMatchObject({ downgrade: 1, protected: 1, delete: 0 });
  });
});

describe('the re-judge before a downgrade', () => {
  const task = pendingTask(
    {
      taskId: 'default#viewer@x.com#role',
      runId: 'p',
      email: 'viewer@x.com',
      userName: 'viewer@x.com',
      arn: 'arn:viewer@x.com',
      role: 'AUTHOR',
      identityType: 'QUICKSIGHT',
      source: 'inactive',
      reason: 'idle author',
      action: 'change_role',
      targetRole: 'READER',
      idleDays: 60,
    },
    ago(1),
  );
  const settings = { days: 60, roles: ['READER'], maxLagMs: 3 * 3_600_000, keepGroups: [] };
  const cloudtrail = { from: ago(89), to: ago(0) };

  it('proceeds for an Author who views but has not authored', () => {
    const [, rec] = record('viewer@x.com', 0, 200);
    expect(recheckIdle({ task, record: rec, cloudtrail, now: NOW, settings }).kind).toBe('proceed');
  });

  it('cancels when the Author authored since', () => {
    const [, rec] = record('viewer@x.com', 0, 0);
    expect(recheckIdle({ task, record: rec, cloudtrail, now: NOW, settings })).toMatchObject({
      kind: 'cancel',
      reason: expect.stringMatching(/^active again/),
    });
  });
});
