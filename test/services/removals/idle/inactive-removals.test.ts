import { describe, expect, it } from 'vitest';
import {
  type InactiveInput,
  selectInactive,
} from '../../../../services/removals/idle/inactive-removals.js';
import { type ActivityRecord, activityKey } from '../../../../shared/activity-record.js';
import {
  AUTHOR_ROLE_NAME,
  iamUser,
  idcUser,
  nativeUser,
  READER_ROLE_NAME,
} from '../plan/builders.js';

const DAY = 86_400_000;
const now = new Date('2026-12-02T10:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
const ns = 'default';

function record(userName: string, over: Partial<ActivityRecord>): [string, ActivityRecord] {
  const key = activityKey(ns, userName);
  return [
    key,
    { userKey: key, namespace: ns, userName, spans: {}, updatedAt: ago(0), version: 1, ...over },
  ];
}

const active = iamUser(READER_ROLE_NAME, 'active@example.com');
const old = iamUser(READER_ROLE_NAME, 'old@example.com');
const never = iamUser(READER_ROLE_NAME, 'never@example.com');
const fresh = iamUser(READER_ROLE_NAME, 'fresh@example.com');
const listed = iamUser(READER_ROLE_NAME, 'listed@example.com');
const author = iamUser(AUTHOR_ROLE_NAME, 'old@example.com', 'AUTHOR');
const stranger = iamUser(READER_ROLE_NAME, 'stranger@example.com');
const unnamed = idcUser('N/A', 'never@example.com', 'p-1');
const imported = nativeUser('imported@example.com', 'imported@example.com');

const base: InactiveInput = {
  namespace: ns,
  quickSightUsers: [active, old, never, fresh, listed, author, stranger, unnamed, imported],
  records: new Map([
    record(active.userName, { last: { at: ago(3), eventName: 'GetDashboard', source: 'live' } }),
    record(old.userName, {
      last: { at: ago(75), eventName: 'GetDashboard', source: 'cloudtrail' },
    }),
    record(fresh.userName, { created: { at: ago(10), eventName: 'RegisterUser' } }),
    record(imported.userName, {
      last: { at: ago(120), eventName: 'LastActive', source: 'import' },
      spans: { import: { from: ago(120), to: ago(20) } },
    }),
  ]),
  cloudtrail: { from: ago(30), to: ago(0.01) },
  firstListed: new Map([[activityKey(ns, listed.userName), ago(40)]]),
  managedPeople: new Set([
    'active@example.com',
    'old@example.com',
    'never@example.com',
    'fresh@example.com',
    'listed@example.com',
    'imported@example.com',
  ]),
  days: 60,
  roles: ['READER', 'READER_PRO'],
  now,
};

describe('selectInactive', () => {
  it('with 30 days of CloudTrail, only users an import covers can be judged', () => {
    const out = selectInactive(base);
    expect(out.idle.map((u) => u.userName)).toEqual([imported.userName]);
    expect(out.idle[0]?.verdict.reason).toBe(
      'last active 2026-08-04, LastActive, from an imported export',
    );
    expect(out.counts).toMatchObject({ judged: 7, idle: 1, active: 1, unmanaged: 1 });
    // Only the import reaches back 60 days: one user is covered, whatever the other verdicts.
    expect(out.counts.covered).toBe(1);
  });

  it('an empty user-name prefix manages nobody: the stranger stays unmanaged (isManaged)', () => {
    const out = selectInactive({ ...base, managedUsernamePrefix: '' });
    expect(out.counts).toMatchObject({ judged: 7, unmanaged: 1 });
  });

  it('counts as covered only users whose record reaches back N days, not those merely active', () => {
    const out = selectInactive({ ...base, quickSightUsers: [active, fresh, old] });
    expect(out.counts).toMatchObject({ judged: 3, active: 1, covered: 0 });
  });

  it('with 90 days: the idle Readers, per user, never the Author, the new, nor strangers', () => {
    const out = selectInactive({ ...base, cloudtrail: { from: ago(90), to: ago(0.01) } });
    expect(out.removals).toEqual([
      {
        email: 'old@example.com',
        source: 'inactive',
        userName: old.userName,
        detail: `last active ${ago(75).slice(0, 10)}, GetDashboard, from CloudTrail`,
        idleDays: 60,
      },
      {
        email: 'never@example.com',
        source: 'inactive',
        userName: never.userName,
        detail: `no activity since the record began on ${ago(90).slice(0, 10)}`,
        idleDays: 60,
      },
      {
        email: 'never@example.com',
        source: 'inactive',
        userName: 'N/A#p-1',
        detail: expect.any(String),
        idleDays: 60,
      },
      expect.objectContaining({ userName: imported.userName }),
    ]);
    expect(out.counts).toEqual({
      judged: 7,
      idle: 4,
      active: 1,
      created: 2,
      uncovered: 0,
      kept: 0,
      covered: 7,
      unmanaged: 1,
    });
  });

  it('--warn-days lists who turns idle soon, soonest first', () => {
    const out = selectInactive({
      ...base,
      cloudtrail: { from: ago(90), to: ago(0.01) },
      warnDays: 55,
    });
    expect(out.idleSoon.map((u) => u.userName)).toEqual([listed.userName, fresh.userName]);
    const none = selectInactive({ ...base, cloudtrail: { from: ago(90), to: ago(0.01) } });
    expect(none.idleSoon).toEqual([]);
  });

  it('the managed username prefix makes a stranger’s Reader judged', () => {
    const out = selectInactive({
      ...base,
      cloudtrail: { from: ago(90), to: ago(0.01) },
      managedUsernamePrefix: READER_ROLE_NAME,
    });
    expect(out.idle.map((u) => u.email)).toContain('stranger@example.com');
  });

  describe('keep groups (IDSYNC_INACTIVE_KEEP_GROUPS)', () => {
    const ninety = { ...base, cloudtrail: { from: ago(90), to: ago(0.01) } };
    const keepMembers = new Map([
      ['old@example.com', 'reports@example.com'],
      ['never@example.com', 'reports@example.com'],
      ['stranger@example.com', 'reports@example.com'],
    ]);

    it('a keep group member is kept, never idle, counted and named with the group', () => {
      const out = selectInactive({ ...ninety, keepMembers });
      const names = out.idle.map((u) => u.userName);
      expect(names).toEqual([imported.userName]);
      expect(out.removals.map((r) => r.email)).toEqual(['imported@example.com']);
      expect(out.kept.map((u) => u.userName)).toEqual([old.userName, never.userName, 'N/A#p-1']);
      for (const u of out.kept)
        expect(u.verdict).toMatchObject({
          idle: false,
          why: 'kept',
          group: 'reports@example.com',
          reason: 'kept: member of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)',
        });
      expect(out.counts).toEqual({
        judged: 7,
        idle: 1,
        active: 1,
        created: 2,
        uncovered: 0,
        kept: 3,
        covered: 7,
        unmanaged: 1,
      });
    });

    it('a keep group makes nobody managed: a stranger in it stays unmanaged, not kept', () => {
      const out = selectInactive({ ...ninety, keepMembers });
      expect(out.kept.map((u) => u.email)).not.toContain('stranger@example.com');
      expect(out.counts.unmanaged).toBe(1);
    });

    it('a kept user is never in the idle-soon list, and empty keep groups change nothing', () => {
      const soon = selectInactive({ ...ninety, keepMembers, warnDays: 90 });
      expect(soon.idleSoon.map((u) => u.email)).not.toContain('old@example.com');
      expect(selectInactive({ ...ninety, keepMembers: new Map() })).toEqual(selectInactive(ninety));
    });
  });
});

describe('selectInactive with pending events of an unknown IdC user', () => {
  it('an idle user they could belong to is uncovered; the window asked is its N days', () => {
    const covered = { ...base, cloudtrail: { from: ago(90), to: ago(0.01) } };
    const idleBefore = selectInactive(covered).idle.map((u) => u.userName);
    expect(idleBefore).toContain(never.userName);
    const windows: { from: string; to: string }[] = [];
    const out = selectInactive({
      ...covered,
      pendingEventsOf: (user, window) => {
        windows.push(window);
        return user.userName === never.userName ? 2 : 0;
      },
    });
    expect(out.idle.map((u) => u.userName)).toEqual(idleBefore.filter((n) => n !== never.userName));
    expect(out.counts.uncovered).toBe(selectInactive(covered).counts.uncovered + 1);
    expect(windows[0]?.to).toBe(ago(0.01));
    expect(Date.parse(windows[0]?.to ?? '') - Date.parse(windows[0]?.from ?? '')).toBe(60 * DAY);
    expect(out.removals.map((r) => r.userName)).not.toContain(never.userName);
  });
});
