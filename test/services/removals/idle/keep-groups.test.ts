import { describe, expect, it } from 'vitest';
import {
  keepGroupListingProblem,
  keepGroupMembers,
  keepGroupOf,
  keptReason,
} from '../../../../services/removals/idle/keep-groups.js';
import { iamUser, idcUser, nativeUser, READER_ROLE_NAME } from '../plan/builders.js';

describe('keep groups (services/removals/idle/keep-groups.ts)', () => {
  const members = keepGroupMembers([
    { group: 'reports@example.com', email: 'Ana@Example.com' },
    { group: 'board@example.com', email: 'ana@example.com' },
    { group: 'board@example.com', email: 'ben@example.com' },
    { group: 'board@example.com', email: '' },
  ]);

  it('keeps the first group per normalised email, and no empty email', () => {
    expect([...members]).toEqual([
      ['ana@example.com', 'reports@example.com'],
      ['ben@example.com', 'board@example.com'],
    ]);
  });

  it('matches a user by its email or the email in its user name, as the plan does', () => {
    expect(keepGroupOf(iamUser(READER_ROLE_NAME, 'ANA@example.com'), members)).toBe(
      'reports@example.com',
    );
    expect(keepGroupOf(idcUser('N/A', 'ben@example.com', 'p-1'), members)).toBe(
      'board@example.com',
    );
    expect(keepGroupOf(nativeUser('ben@example.com', 'ben@example.com'), members)).toBe(
      'board@example.com',
    );
    expect(keepGroupOf(iamUser(READER_ROLE_NAME, 'cy@example.com'), members)).toBeUndefined();
    expect(keepGroupOf(iamUser(READER_ROLE_NAME, 'ana@example.com'), new Map())).toBeUndefined();
  });

  it('says why a user is kept, naming the group and the variable', () => {
    expect(keptReason('reports@example.com')).toBe(
      'kept: member of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)',
    );
  });

  it('trusts a listing only when every keep group was listed, and not empty', () => {
    const groups = ['reports@example.com', 'board@example.com'];
    expect(keepGroupListingProblem([], undefined, 'r1')).toBeUndefined();
    expect(
      keepGroupListingProblem(groups, { 'reports@example.com': 3, 'board@example.com': 1 }, 'r1'),
    ).toBeUndefined();
    expect(keepGroupListingProblem(groups, undefined, 'r1')).toContain(
      'did not list keep group reports@example.com',
    );
    expect(keepGroupListingProblem(groups, { 'reports@example.com': 3 }, 'r1')).toContain(
      'did not list keep group board@example.com',
    );
    expect(
      keepGroupListingProblem(groups, { 'reports@example.com': 3, 'board@example.com': 0 }, 'r1'),
    ).toContain('keep group board@example.com (IDSYNC_INACTIVE_KEEP_GROUPS) listed no members');
  });
});
