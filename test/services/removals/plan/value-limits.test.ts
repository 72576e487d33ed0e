import { describe, expect, it } from 'vitest';
import { applyWindow, describeWindow } from '../../../../services/removals/plan/guard.js';
import { planRemovals } from '../../../../services/removals/plan/plan-removals.js';
import type { Decision } from '../../../../shared/domain.js';
import { iamUser, nativeUser, READER_ROLE_NAME } from './builders.js';

const guard = { maxDeletions: 100, maxDeletionPercent: 100 };

describe('values checked at the door', () => {
  it('an oversized QuickSight user name is an `invalid` decision, the others still delete', () => {
    const long = `${'x'.repeat(5_000)}@example.com`;
    const users = [
      nativeUser(long, 'big@example.com'),
      iamUser(READER_ROLE_NAME, 'ok@example.com'),
    ];
    const plan = planRemovals({
      removals: [
        { email: 'big@example.com', source: 'csv' },
        { email: 'ok@example.com', source: 'csv' },
      ],
      quickSightUsers: users,
      currentMembers: new Set(),
      protectedRoles: [],
      protectedUsers: [],
      guard,
    });
    expect(plan.counts).toMatchObject({ delete: 1, invalid: 1 });
    const invalid = plan.decisions.find((d) => d.decision === 'invalid');
    expect(invalid?.reason).toMatch(/QuickSight user name is 5012 characters long \(at most 512\)/);
  });

  it('emails with zero-width, bidi-override or control characters are `invalid`, never matched', () => {
    const plan = planRemovals({
      removals: [
        { email: 'a\u200b@example.com', source: 'csv', detail: 'CSV line 2' },
        { email: 'b\u202e@example.com', source: 'csv' },
        { email: `${'c'.repeat(300)}@example.com`, source: 'csv' },
      ],
      quickSightUsers: [nativeUser('a@example.com', 'a@example.com')],
      currentMembers: new Set(),
      protectedRoles: [],
      protectedUsers: [],
      guard,
    });
    expect(plan.counts.invalid).toBe(3);
    expect(plan.counts.delete).toBe(0);
    for (const d of plan.decisions) expect(d.email.length).toBeLessThanOrEqual(60);
    expect(plan.decisions.map((d) => d.reason).join('\n')).toMatch(/U\+200B.*CSV line 2/);
  });
});

describe('the guard window in a plan', () => {
  const decision = (i: number): Decision => ({
    email: `p${i}@example.com`,
    source: 'deleted_event',
    sources: ['deleted_event'],
    decision: 'delete',
    reason: 'leaver',
    quickSightUser: {
      userName: `p${i}`,
      arn: `arn:${i}`,
      role: 'READER',
      identityType: 'QUICKSIGHT',
    },
  });

  it('keeps the deletions the budget still allows and blocks the rest, each user once', () => {
    const decisions = [decision(1), decision(2), decision(2), decision(3), decision(4)];
    const window = { used: 7, limit: 10, hours: 24 };
    const out = applyWindow(decisions, 2, window);
    expect(out.blocked).toBe(2);
    expect(out.decisions.map((d) => d.decision)).toEqual([
      'delete',
      'delete',
      'delete',
      'blocked',
      'blocked',
    ]);
    expect(out.decisions[3]?.windowBlocked).toBe(true);
    expect(out.decisions[3]?.reason).toContain(
      'guard window: 7 of 10 deletions used in the last 24 h',
    );
    expect(describeWindow({ ...window, blocked: 0 })).toBe(
      'guard window: 7 of 10 deletions used in the last 24 h',
    );
    expect(applyWindow(decisions, 0, window).blocked).toBe(4);
    // Past its budget (earlier overrides): said so, not "895 of 100 used".
    expect(describeWindow({ used: 895, limit: 100, hours: 24, blocked: 0 })).toBe(
      "guard window: 895 deletions in the last 24 h (earlier runs' overrides), over its budget of 100: none left without --max-deletions",
    );
  });
});
