import { describe, expect, it } from 'vitest';
import { decide, type PersonRemoval } from '../../../../services/removals/plan/decide.js';
import {
  collapseRemovals,
  planRemovals,
} from '../../../../services/removals/plan/plan-removals.js';
import { buildProtection } from '../../../../shared/removal-rules.js';
import { AUTHOR_ROLE_NAME, iamUser, idcUser, READER_ROLE_NAME } from './builders.js';

const email = 'alice@example.com';
const reader = iamUser(READER_ROLE_NAME, email);
const author = iamUser(AUTHOR_ROLE_NAME, email, 'AUTHOR');
const protection = buildProtection(['ADMIN', 'AUTHOR', 'ADMIN_PRO', 'AUTHOR_PRO'], []);
const members = new Set([email]);

function one(person: PersonRemoval, currentMembers = members) {
  return decide({ person, matches: [reader], currentMembers, protection });
}

describe('decide by source: who a current member is deleted for', () => {
  it('a CSV deletes a listed person who is still a member, and says so plainly', () => {
    const [d] = one({ email, sources: ['csv'], details: ['CSV line 2'] });
    expect(d).toMatchObject({ decision: 'delete', member: true, source: 'csv' });
    expect(d?.reason).toContain('is still in a configured group: deleted as listed');
    expect(d?.reason).not.toContain('re-joined');
  });

  it('a CSV with --keep-members defers a member, without calling them re-joined', () => {
    const [d] = one({ email, sources: ['csv'], details: ['CSV line 2'], keepMembers: true });
    expect(d).toMatchObject({ decision: 'deferred', keepMembers: true });
    expect(d?.reason).toContain('still in a configured group (--keep-members)');
    expect(d?.reason).not.toContain('re-joined');
  });

  it('a CSV of a non-member deletes without the member flag, with or without --keep-members', () => {
    for (const keepMembers of [false, true]) {
      const [d] = one({ email, sources: ['csv'], details: [], keepMembers }, new Set());
      expect(d?.decision).toBe('delete');
      expect(d?.member).toBeUndefined();
      expect(d?.reason).toContain('is listed in the CSV');
    }
  });

  it('re-joined is kept for leavers and DeleteUser events', () => {
    for (const source of ['group_removal', 'deleted_event'] as const) {
      const [d] = one({ email, sources: [source], details: [] });
      expect(d?.decision).toBe('deferred');
      expect(d?.reason).toContain('re-joined');
    }
  });

  it('an idle user is deleted although its person is a member, with what the rule saw', () => {
    const userNames = new Map([
      [reader.userName.toLowerCase(), 'last active 2026-09-14, GetDashboard, from CloudTrail'],
    ]);
    const [d] = decide({
      person: { email, sources: ['inactive'], details: [], userNames },
      matches: [reader, author],
      currentMembers: members,
      protection,
    });
    expect(d).toMatchObject({
      decision: 'delete',
      source: 'inactive',
      member: true,
      detail: 'last active 2026-09-14, GetDashboard, from CloudTrail',
    });
    expect(d?.reason).toBe(
      `READER user ${reader.userName} is idle; named by idle rule (last active 2026-09-14, GetDashboard, from CloudTrail)`,
    );
  });

  it('a per-user removal reaches only the named user: the person’s Author is not touched', () => {
    const plan = planRemovals({
      removals: [{ email, source: 'inactive', userName: reader.userName, detail: 'idle' }],
      quickSightUsers: [reader, author],
      currentMembers: members,
      protectedRoles: ['ADMIN', 'AUTHOR'],
      protectedUsers: [],
      guard: { maxDeletions: 10, maxDeletionPercent: 100 },
    });
    expect(plan.decisions.map((d) => [d.quickSightUser?.userName, d.decision])).toEqual([
      [reader.userName, 'delete'],
    ]);
  });

  it('targets an N/A user by its principal id, not every N/A user of the person', () => {
    const a = idcUser('N/A', email, 'p-a');
    const b = idcUser('N/A', email, 'p-b');
    const plan = planRemovals({
      removals: [{ email, source: 'inactive', userName: 'N/A#p-b', detail: 'idle' }],
      quickSightUsers: [a, b],
      currentMembers: members,
      protectedRoles: [],
      protectedUsers: [],
      guard: { maxDeletions: 10, maxDeletionPercent: 100 },
    });
    expect(plan.decisions.map((d) => [d.quickSightUser?.principalId, d.decision])).toEqual([
      ['p-b', 'ends_with_group'],
    ]);
  });

  it('a person named per user and as a whole is decided for all their users', () => {
    const [person] = collapseRemovals([
      { email, source: 'inactive', userName: reader.userName, detail: 'idle' },
      { email, source: 'group_removal', detail: 'left' },
    ]);
    expect(person?.userNames).toBeUndefined();
    expect(person?.sources).toEqual(['group_removal', 'inactive']);
  });

  it('membership still defers a person who is also a leaver (a veto source comes first)', () => {
    const [d] = decide({
      person: { email, sources: ['group_removal', 'inactive'], details: [] },
      matches: [reader],
      currentMembers: members,
      protection,
    });
    expect(d).toMatchObject({ decision: 'deferred', source: 'group_removal' });
  });

  it('protection still wins for idle users', () => {
    const [d] = decide({
      person: { email, sources: ['inactive'], details: [] },
      matches: [reader],
      currentMembers: members,
      protection: buildProtection(['READER'], []),
    });
    expect(d?.decision).toBe('protected');
  });
});
