import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAccountGuards } from '../../../../services/removals/plan/guard.js';
import { planRemovals } from '../../../../services/removals/plan/plan-removals.js';
import type { QuickSightUser, Removal } from '../../../../shared/domain.js';
import { taskIdOfDecision } from '../../../../shared/task.js';

/**
 * The guard per QuickSight account: with users in several accounts, IDSYNC_MAX_DELETIONS and
 * IDSYNC_MAX_DELETION_PERCENT apply to each account's own writes and users as well as to all
 * together; an account over its own limits is held, the others proceed.
 */

const HOME = '111111111111';
const OTHER = '222222222222';
const OTHER_KEY = `${OTHER}/default`;

/** A Reader `r/<email>` in the home account's `default` (no scope) or in `scope`. */
function reader(email: string, scope?: string): QuickSightUser {
  const account = scope?.includes('/') ? scope.slice(0, 12) : HOME;
  const namespace = scope?.includes('/') ? scope.slice(13) : (scope ?? 'default');
  return {
    userName: `r/${email}`,
    email,
    role: 'READER',
    identityType: 'IAM',
    arn: `arn:aws:quicksight:us-east-1:${account}:user/${namespace}/r/${email}`,
    ...(scope === undefined ? {} : { scope }),
  };
}

const people = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

function plan(
  users: QuickSightUser[],
  leavers: string[],
  limits = { maxDeletions: 100, maxDeletionPercent: 30 },
  /** '': none given (the guard in total only). */
  homeAccountId = HOME,
) {
  const removals: Removal[] = leavers.map((email) => ({ email, source: 'group_removal' }));
  return planRemovals({
    removals,
    quickSightUsers: users,
    currentMembers: new Set(),
    protectedRoles: ['ADMIN'],
    protectedUsers: [],
    guard: { ...limits, ...(homeAccountId ? { homeAccountId } : {}) },
  });
}

describe('the guard per QuickSight account', () => {
  // 40 home users, 8 in the second account; 3 leavers in each.
  const homeUsers = people('h', 40).map((e) => reader(e));
  const otherUsers = people('o', 8).map((e) => reader(e, OTHER_KEY));
  const users = [...homeUsers, ...otherUsers];
  const leavers = [...people('h', 3), ...people('o', 3)];

  it('holds the account over its own percentage (3 of 8), and lets the other (3 of 40) proceed', () => {
    const p = plan(users, leavers);
    expect(p.guard.tripped).toBe(false);
    expect(p.guard.heldAccounts).toEqual([OTHER]);
    expect(p.guard.reasons).toEqual([
      `QuickSight account ${OTHER}: 3 deletions are 37.5% of 8 QuickSight users, above IDSYNC_MAX_DELETION_PERCENT=30`,
    ]);
    const blocked = p.decisions.filter((d) => d.decision === 'blocked');
    expect(blocked.map((d) => d.email).sort()).toEqual(people('o', 3));
    expect(blocked.every((d) => d.accountHeld === true)).toBe(true);
    expect(blocked[0]?.reason).toMatch(
      new RegExp(`^guard tripped: QuickSight account ${OTHER}: .*; was: `),
    );
    expect(p.decisions.filter((d) => d.decision === 'delete').map((d) => d.email)).toEqual(
      people('h', 3),
    );
    expect(p.guard.howToOverride).toContain('--max-deletions 3');
  });

  it('stops everything when all together exceed the limits (the total guard comes first)', () => {
    const p = plan(users, leavers, { maxDeletions: 5, maxDeletionPercent: 50 });
    expect(p.guard.tripped).toBe(true);
    expect(p.guard.heldAccounts).toBeUndefined();
    expect(p.counts.delete).toBe(0);
    expect(p.counts.blocked).toBe(6);
  });

  it('gives way to --max-deletions N per account as in total', () => {
    const p = plan(users, leavers, {
      maxDeletions: 1,
      maxDeletionPercent: 1,
      override: { maxDeletions: 6 },
    } as never);
    expect(p.guard.tripped).toBe(false);
    expect(p.guard.heldAccounts).toBeUndefined();
    expect(p.counts.delete).toBe(6);
  });

  it('is not applied with one account (two namespaces of it count as one), nor without the home account', () => {
    const sales = people('s', 4).map((e) => reader(e, 'sales'));
    const oneAccount = plan([...homeUsers, ...sales], [...people('s', 3)]);
    expect(oneAccount.guard.heldAccounts).toBeUndefined();
    expect(oneAccount.counts.delete).toBe(3);
    const noHome = plan(users, leavers, undefined, '');
    expect(noHome.guard.heldAccounts).toBeUndefined();
  });

  it('one person with seats in two accounts: a decision, and a task id, in each', () => {
    const both = [reader('x@example.com'), reader('x@example.com', OTHER_KEY), ...homeUsers];
    const p = plan(both, ['x@example.com'], { maxDeletions: 100, maxDeletionPercent: 100 });
    const deletes = p.decisions.filter((d) => d.decision === 'delete');
    expect(deletes.map((d) => d.quickSightUser?.scope)).toEqual(
      expect.arrayContaining([undefined, OTHER_KEY]),
    );
    const ids = deletes.map((d) =>
      taskIdOfDecision('default', d, d.quickSightUser as QuickSightUser),
    );
    expect(ids.sort()).toEqual([`${OTHER_KEY}#r/x@example.com`, 'default#r/x@example.com']);
  });

  it('property: held accounts are exactly those over a limit of their own, and only their writes are blocked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 40 }),
        (nHome, nOther, lHome, lOther, percent, max) => {
          const hl = Math.min(lHome, nHome);
          const ol = Math.min(lOther, nOther);
          const us = [
            ...people('h', nHome).map((e) => reader(e)),
            ...people('o', nOther).map((e) => reader(e, OTHER_KEY)),
          ];
          const decisions = plan(us, [...people('h', hl), ...people('o', ol)], {
            maxDeletions: 1000,
            maxDeletionPercent: 100,
          }).decisions;
          const result = applyAccountGuards({
            homeAccountId: HOME,
            decisions,
            quickSightUsers: us,
            maxDeletions: max,
            maxDeletionPercent: percent,
          });
          const over = (n: number, total: number) => n > max || n * 100 > percent * total;
          const expected = [
            ...(hl > 0 && over(hl, nHome) ? [HOME] : []),
            ...(ol > 0 && over(ol, nOther) ? [OTHER] : []),
          ];
          expect(result.heldAccounts).toEqual(expected);
          for (const d of result.decisions) {
            const account = d.quickSightUser?.scope ? OTHER : HOME;
            const heldHere = expected.includes(account);
            if (d.email.startsWith('h') || d.email.startsWith('o'))
              expect(d.decision).toBe(heldHere ? 'blocked' : 'delete');
          }
        },
      ),
    );
  });
});
