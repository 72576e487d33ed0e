import { describe, expect, it } from 'vitest';
import { type InactiveInput, selectInactive } from '../../../services/plan/inactive-removals.js';
import { type ActivityRecord, activityKey } from '../../../shared/activity-record.js';
import { AUTHOR_ROLE_NAME, iamUser, idcUser, nativeUser, READER_ROLE_NAME } from './builders.js';

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
});
