import { describe, expect, it } from 'vitest';
import { decide } from '../../services/removals/plan/decide.js';
import { planRemovals } from '../../services/removals/plan/plan-removals.js';
import { identityModeDecision } from '../../shared/quicksight-user-rules.js';
import { buildProtection } from '../../shared/removal-rules.js';
import {
  iamUser,
  idcUser,
  nativeUser,
  READER_ROLE_NAME,
} from '../services/removals/plan/builders.js';

/**
 * The identity-mode rule of a planned deletion (shared/quicksight-user-rules.ts) and
 * how decide/planRemovals apply it: IAM_IDENTITY_CENTER users are never deleted, their seat ends
 * with the group; unknown identity types are flagged.
 */

const NOW = new Date('2026-12-07T10:00:00Z');
const protection = buildProtection([], []);
const base = { email: 'ann@example.com', member: false, groups: [], leftAt: NOW };

describe('identityModeDecision', () => {
  it('leaves IAM and QUICKSIGHT deletions as planned', () => {
    for (const identityType of ['IAM', 'QUICKSIGHT'])
      expect(
        identityModeDecision({ ...base, user: { userName: 'x', role: 'READER', identityType } }),
      ).toBeUndefined();
  });

  it('a leaver: ends with the group, with the day QuickSight removes the seat, no group to leave', () => {
    const out = identityModeDecision({
      ...base,
      user: { userName: 'ann@example.com', role: 'READER', identityType: 'IAM_IDENTITY_CENTER' },
      leftAt: new Date('2026-12-31T23:00:00Z'),
    });
    expect(out).toEqual({
      decision: 'ends_with_group',
      reason: expect.stringContaining('QuickSight removes it on 2027-01-01 (no API call)'),
      seatEndsOn: '2027-01-01',
    });
  });

  it('a current member: the operator removes the person from the groups they are in', () => {
    const out = identityModeDecision({
      ...base,
      member: true,
      groups: ['authors@example.com', 'readers@example.com'],
      user: { userName: 'N/A', role: 'reader', identityType: 'IAM_IDENTITY_CENTER' },
    });
    expect(out?.decision).toBe('ends_with_group');
    expect(out?.leaveGroups).toEqual(['authors@example.com', 'readers@example.com']);
    expect(out?.reason).toContain(
      'remove ann@example.com from authors@example.com, readers@example.com',
    );
    expect(out?.seatEndsOn).toBeUndefined();
  });

  it('an unknown identity type is never deleted: invalid, flagged', () => {
    const out = identityModeDecision({
      ...base,
      user: { userName: 'x', role: 'READER', identityType: 'SAML' },
    });
    expect(out).toEqual({
      decision: 'invalid',
      reason: 'READER user x: unknown identity type "SAML": never deleted',
    });
  });
});

describe('decide and planRemovals with identity modes', () => {
  const email = 'ann@example.com';
  const idc = idcUser(email, email, 'user/d-1/p-ann');
  const iam = iamUser(READER_ROLE_NAME, email);
  const native = nativeUser('ann', email);

  it('a leaver holding IAM, QUICKSIGHT and IdC users: two deletions, one seat that ends with the group', () => {
    const decisions = decide({
      person: { email, sources: ['group_removal'], details: [], since: '2026-12-06T09:00:00Z' },
      matches: [iam, native, idc],
      currentMembers: new Set(),
      protection,
      now: NOW,
    });
    expect(
      decisions.map((d) => [d.quickSightUser?.identityType, d.decision, d.seatEndsOn]),
    ).toEqual([
      ['IAM', 'delete', undefined],
      ['QUICKSIGHT', 'delete', undefined],
      ['IAM_IDENTITY_CENTER', 'ends_with_group', '2027-01-01'],
    ]);
  });

  it('an idle IdC user who is in the groups is listed for the operator, not queued', () => {
    const plan = planRemovals({
      removals: [{ email, source: 'inactive', userName: email, detail: 'idle 60 days' }],
      quickSightUsers: [idc],
      currentMembers: new Set([email]),
      memberGroups: new Map([[email, ['readers@example.com']]]),
      protectedRoles: [],
      protectedUsers: [],
      guard: { maxDeletions: 0, maxDeletionPercent: 0 },
      now: NOW,
    });
    expect(plan.counts).toMatchObject({ delete: 0, ends_with_group: 1, blocked: 0 });
    expect(plan.guard.tripped).toBe(false);
    expect(plan.decisions[0]).toMatchObject({
      decision: 'ends_with_group',
      leaveGroups: ['readers@example.com'],
    });
    expect(plan.decisions[0]).not.toHaveProperty('member');
    expect(plan.decisions[0]?.reason).toContain('remove ann@example.com from readers@example.com');
  });

  it('protection and re-joining still come first for IdC users', () => {
    const [kept] = decide({
      person: { email, sources: ['group_removal'], details: [] },
      matches: [idc],
      currentMembers: new Set(),
      protection: buildProtection(['READER'], []),
    });
    expect(kept?.decision).toBe('protected');
    const [back] = decide({
      person: { email, sources: ['group_removal'], details: [] },
      matches: [idc],
      currentMembers: new Set([email]),
      protection,
    });
    expect(back?.decision).toBe('deferred');
  });

  it('a user of unknown identity type is invalid, never a deletion', () => {
    const odd = { ...iam, identityType: 'UNKNOWN' };
    const plan = planRemovals({
      removals: [{ email, source: 'csv', detail: 'CSV line 2' }],
      quickSightUsers: [odd],
      currentMembers: new Set(),
      protectedRoles: [],
      protectedUsers: [],
      guard: { maxDeletions: 10, maxDeletionPercent: 100 },
    });
    expect(plan.counts).toMatchObject({ delete: 0, invalid: 1 });
    expect(plan.decisions[0]?.reason).toContain('unknown identity type "UNKNOWN": never deleted');
  });
});
