import { describe, expect, it } from 'vitest';
import {
  type DecideInput,
  decide,
  type PersonRemoval,
} from '../../../../services/removals/plan/decide.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { buildProtection } from '../../../../shared/removal-rules.js';
import { AUTHOR_ROLE_NAME, iamUser, nativeUser, READER_ROLE_NAME } from './builders.js';

const alice: PersonRemoval = {
  email: 'alice@example.com',
  sources: ['group_removal'],
  details: ['last seen in group readers@example.com'],
};
const reader = iamUser(READER_ROLE_NAME, 'alice@example.com');
const defaults = {
  person: alice,
  matches: [reader],
  currentMembers: new Set<string>(),
  protection: buildProtection(['ADMIN', 'AUTHOR', 'ADMIN_PRO', 'AUTHOR_PRO'], []),
} satisfies DecideInput;

function kinds(input: Partial<DecideInput>): string[] {
  return decide({ ...defaults, ...input }).map((d) => d.decision);
}

describe('decide', () => {
  it('deletes the Reader of a leaver, with a reason naming the user and the source', () => {
    const [decision] = decide(defaults);
    expect(decision).toMatchObject({
      email: 'alice@example.com',
      source: 'group_removal',
      decision: 'delete',
      quickSightUser: {
        userName: reader.userName,
        arn: reader.arn,
        role: 'READER',
        identityType: 'IAM',
      },
    });
    expect(decision?.reason).toContain(reader.userName);
    expect(decision?.reason).toContain('group removal');
  });

  it('gives one not_found row without a user when the person has no QuickSight user', () => {
    const decisions = decide({ ...defaults, matches: [] });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ decision: 'not_found', email: 'alice@example.com' });
    expect(decisions[0]?.quickSightUser).toBeUndefined();
  });

  it.each<[string, QuickSightUser, readonly string[], readonly string[], string]>([
    [
      'AUTHOR role',
      iamUser(AUTHOR_ROLE_NAME, 'alice@example.com', 'AUTHOR'),
      ['AUTHOR'],
      [],
      'protected',
    ],
    [
      'role compared upper-case',
      iamUser(AUTHOR_ROLE_NAME, 'alice@example.com', 'author_pro'),
      ['Author_Pro'],
      [],
      'protected',
    ],
    ['READER is not protected by default', reader, ['ADMIN', 'AUTHOR'], [], 'delete'],
    ['protected user name', reader, [], [reader.userName], 'protected'],
    [
      'protected email, full-width in the list',
      reader,
      [],
      ['ＡＬＩＣＥ@example.com'],
      'protected',
    ],
    [
      'protected by the email field only',
      nativeUser('al', 'alice@example.com'),
      [],
      ['alice@example.com'],
      'protected',
    ],
    ['someone else is protected', reader, [], ['bob@example.com'], 'delete'],
  ])('%s → %s', (_title, user, roles, users, expected) => {
    expect(kinds({ matches: [user], protection: buildProtection(roles, users) })).toEqual([
      expected,
    ]);
  });

  it('gives one decision per QuickSight user, each on its own merits', () => {
    const author = iamUser(AUTHOR_ROLE_NAME, 'alice@example.com', 'AUTHOR');
    expect(kinds({ matches: [reader, author] })).toEqual(['delete', 'protected']);
  });

  it('defers a person who is back in a group (re-joined)', () => {
    const [decision] = decide({ ...defaults, currentMembers: new Set(['alice@example.com']) });
    expect(decision?.decision).toBe('deferred');
    expect(decision?.reason).toContain('re-joined');
  });

  it('defers a user that also belongs to a current member', () => {
    const shared: QuickSightUser = { ...reader, email: 'bob@example.com' };
    const [decision] = decide({
      ...defaults,
      matches: [shared],
      currentMembers: new Set(['bob@example.com']),
    });
    expect(decision?.decision).toBe('deferred');
    expect(decision?.reason).toContain('bob@example.com');
  });

  it('does not take a snapshot older than a DeleteUser event as a re-join', () => {
    const person: PersonRemoval = {
      ...alice,
      sources: ['deleted_event'],
      since: '2025-06-02T09:00:00Z',
    };
    const members = new Set(['alice@example.com']);
    expect(
      kinds({ person, currentMembers: members, currentMembersAsOf: '2025-06-02T08:00:00Z' }),
    ).toEqual(['delete']);
    expect(
      kinds({ person, currentMembers: members, currentMembersAsOf: '2025-06-02T10:00:00Z' }),
    ).toEqual(['deferred']);
  });

  it('takes a snapshot as a re-join only from one second after the event (CloudTrail precision)', () => {
    const person: PersonRemoval = {
      ...alice,
      sources: ['deleted_event'],
      since: '2025-06-02T09:00:00Z',
    };
    const members = new Set(['alice@example.com']);
    const at = (asOf: string) =>
      kinds({ person, currentMembers: members, currentMembersAsOf: asOf });
    expect(at('2025-06-02T09:00:00.000Z')).toEqual(['delete']);
    expect(at('2025-06-02T09:00:00.999Z')).toEqual(['delete']);
    expect(at('2025-06-02T09:00:01.000Z')).toEqual(['deferred']);
    expect(at('2025-06-02T09:00:01.001Z')).toEqual(['deferred']);
  });

  it('defers inside the grace period and deletes after it', () => {
    const person: PersonRemoval = { ...alice, since: '2025-06-01T00:00:00.000Z' };
    const week = 7 * 24 * 3600 * 1000;
    const inside = decide({
      ...defaults,
      person,
      gracePeriodMs: week,
      now: new Date('2025-06-03T00:00:00Z'),
    });
    expect(inside[0]?.decision).toBe('deferred');
    expect(inside[0]?.reason).toContain('2025-06-08T00:00:00.000Z');
    expect(kinds({ person, gracePeriodMs: week, now: new Date('2025-06-09T00:00:00Z') })).toEqual([
      'delete',
    ]);
    expect(
      kinds({ person: alice, gracePeriodMs: week, now: new Date('2025-06-03T00:00:00Z') }),
    ).toEqual(['delete']);
  });

  it('protection wins over re-join, re-join over the grace period', () => {
    const author = iamUser(AUTHOR_ROLE_NAME, 'alice@example.com', 'AUTHOR');
    expect(kinds({ matches: [author], currentMembers: new Set(['alice@example.com']) })).toEqual([
      'protected',
    ]);
  });

  it('a managed-prefix removal only reaches users under the prefix', () => {
    const person: PersonRemoval = { ...alice, userNamePrefix: 'AWSReservedSSO_QuickSightReader_' };
    const native = nativeUser('alice@example.com', 'alice@example.com');
    const decisions = decide({ ...defaults, person, matches: [native, reader] });
    expect(decisions.map((d) => d.quickSightUser?.userName)).toEqual([reader.userName]);
  });

  it('keeps every source and the user id of a collapsed person', () => {
    const person: PersonRemoval = {
      email: 'alice@example.com',
      sources: ['deleted_event', 'csv'],
      details: ['CSV line 4'],
      userId: '9067729b3d-ee533c18-538a-4cd3-a572-63fb863ed734',
    };
    const [decision] = decide({ ...defaults, person });
    expect(decision).toMatchObject({
      source: 'deleted_event',
      sources: ['deleted_event', 'csv'],
      userId: person.userId,
    });
    expect(decision?.reason).toContain('IdC DeleteUser event and CSV');
    expect(decision?.reason).toContain('CSV line 4');
  });
});
