import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptiedGroups } from '../../../../services/removals/plan/guard.js';
import {
  collapseRemovals,
  deletionTargets,
  findLeavers,
  type PlanRemovalsInput,
  planRemovals,
} from '../../../../services/removals/plan/plan-removals.js';
import type { LedgerEntry, QuickSightUser, Removal } from '../../../../shared/domain.js';
import { emailKeysOf } from '../../../../shared/quicksight-user-rules.js';
import {
  AUTHOR_ROLE_NAME,
  emailArb,
  iamUser,
  idcUser,
  nativeUser,
  READER_ROLE_NAME,
} from './builders.js';

const PROTECTED_ROLES = ['ADMIN', 'AUTHOR', 'ADMIN_PRO', 'AUTHOR_PRO'];

function ledgerOf(emails: readonly string[]): LedgerEntry[] {
  return emails.map((email) => ({
    email,
    googleId: `g-${email}`,
    groups: ['readers@example.com'],
    firstSeenAsMember: '2025-01-01T00:00:00.000Z',
    lastSeenAsMember: '2025-06-01T00:00:00.000Z',
    lastSeenRunId: 'run-1',
  }));
}

function person(i: number): string {
  return `person${String(i).padStart(3, '0')}@example.com`;
}

/** 200 members with a Reader each (persons 1–3 are Authors instead), 20 strangers never in the group. */
function organisation() {
  const members = Array.from({ length: 200 }, (_, i) => person(i));
  const quickSightUsers: QuickSightUser[] = members.map((e, i) =>
    i >= 1 && i <= 3 ? iamUser(AUTHOR_ROLE_NAME, e, 'AUTHOR') : iamUser(READER_ROLE_NAME, e),
  );
  const strangers = Array.from({ length: 20 }, (_, i) => `stranger${i}@example.com`);
  quickSightUsers.push(...strangers.map((e) => nativeUser(e, e)));
  return { members, quickSightUsers, strangers, ledger: ledgerOf(members) };
}

function planFor(
  org: ReturnType<typeof organisation>,
  current: readonly string[],
  extra: Partial<PlanRemovalsInput> = {},
) {
  const currentMembers = new Set(current);
  const removals = findLeavers({
    ledger: org.ledger,
    currentMembers,
    quickSightUsers: org.quickSightUsers,
  });
  return planRemovals({
    removals,
    quickSightUsers: org.quickSightUsers,
    currentMembers,
    protectedRoles: PROTECTED_ROLES,
    protectedUsers: [person(39)],
    guard: { maxDeletions: 100, maxDeletionPercent: 20 },
    ...extra,
  });
}

describe('planRemovals on an organisation', () => {
  const org = organisation();

  it('40 leavers (3 with an Author user, 1 protected): 36 delete, 3+1 protected, strangers untouched', () => {
    const plan = planFor(org, org.members.slice(40));
    expect(plan.guard.tripped).toBe(false);
    expect(plan.counts).toEqual({
      delete: 36,
      protected: 4,
      not_found: 0,
      deferred: 0,
      blocked: 0,
      invalid: 0,
      ends_with_group: 0,
      leave_group: 0,
      upgrade: 0,
      downgrade: 0,
    });
    const touched = new Set(plan.decisions.map((d) => d.email));
    for (const stranger of org.strangers) expect(touched.has(stranger)).toBe(false);
    const protectedRows = plan.decisions.filter((d) => d.decision === 'protected');
    expect(protectedRows.map((d) => d.quickSightUser?.role).sort()).toEqual([
      'AUTHOR',
      'AUTHOR',
      'AUTHOR',
      'READER',
    ]);
  });

  it('plans the same after another snapshot of the same state (level-triggered)', () => {
    const current = org.members.slice(40);
    expect(planFor(org, current)).toEqual(planFor(org, [...current].reverse()));
  });

  it('90% of the group gone: the guard trips and nothing is planned as delete', () => {
    const plan = planFor(org, org.members.slice(180));
    expect(plan.guard.tripped).toBe(true);
    expect(plan.counts.delete).toBe(0);
    expect(plan.counts.blocked).toBeGreaterThan(100);
    expect(plan.guard.howToOverride).toContain('--max-deletions');
  });

  it('an emptied group trips the guard even under the limits', () => {
    const plan = planFor(org, [], {
      guard: {
        maxDeletions: 10_000,
        maxDeletionPercent: 100,
        emptiedGroups: emptiedGroups({ 'readers@example.com': 200 }, { 'readers@example.com': 0 }),
      },
    });
    expect(plan.guard.tripped).toBe(true);
    expect(plan.counts.delete).toBe(0);
    expect(plan.guard.reasons.join(' ')).toContain('readers@example.com');
  });

  it('counts a QuickSight user reachable by two leavers once for the guard', () => {
    const shared: QuickSightUser = {
      ...iamUser(READER_ROLE_NAME, 'a@example.com'),
      email: 'b@example.com',
    };
    const plan = planRemovals({
      removals: [
        { email: 'a@example.com', source: 'csv' },
        { email: 'b@example.com', source: 'csv' },
      ],
      quickSightUsers: [shared],
      currentMembers: new Set(),
      protectedRoles: PROTECTED_ROLES,
      protectedUsers: [],
      guard: { maxDeletions: 1, maxDeletionPercent: 100 },
    });
    expect(plan.counts.delete).toBe(2);
    expect(deletionTargets(plan.decisions)).toHaveLength(1);
    expect(plan.guard.tripped).toBe(false);
  });
});

describe('collapseRemovals', () => {
  it('gives one entry per person with every source, in canonical order', () => {
    const removals: Removal[] = [
      { email: 'Alice@Example.com', source: 'csv', detail: 'CSV line 7' },
      {
        email: 'alice@example.com',
        source: 'deleted_event',
        userId: 'u-1',
        since: '2025-06-02T09:00:00Z',
      },
      { email: 'alice@example.com', source: 'group_removal', since: '2025-06-01T00:00:00Z' },
      { email: 'bob@example.com', source: 'csv' },
      { email: '  ', source: 'csv' },
    ];
    expect(collapseRemovals(removals)).toEqual([
      {
        email: 'alice@example.com',
        sources: ['group_removal', 'deleted_event', 'csv'],
        details: ['CSV line 7'],
        userId: 'u-1',
        since: '2025-06-02T09:00:00Z',
      },
      { email: 'bob@example.com', sources: ['csv'], details: [] },
    ]);
  });
});

/** A random organisation: people with some kinds of QuickSight users, some in the ledger, some current. */
const populationArb = fc.uniqueArray(emailArb, { minLength: 1, maxLength: 40 }).chain((emails) =>
  fc.record({
    people: fc.tuple(
      ...emails.map((email) =>
        fc.record({
          email: fc.constant(email),
          inLedger: fc.boolean(),
          current: fc.boolean(),
          deletedEvent: fc.boolean(),
          kinds: fc.subarray(['iam-reader', 'iam-author', 'native', 'idc', 'idc-na'] as const),
        }),
      ),
    ),
    protectedPick: fc.nat(),
    prefix: fc.option(fc.constant('AWSReservedSSO_QuickSightReader_'), { nil: undefined }),
  }),
);

function usersOf(email: string, kinds: readonly string[], i: number): QuickSightUser[] {
  return kinds.map((kind) => {
    if (kind === 'iam-reader') return iamUser(READER_ROLE_NAME, email);
    if (kind === 'iam-author') return iamUser(AUTHOR_ROLE_NAME, email, 'AUTHOR');
    if (kind === 'native') return nativeUser(email, email);
    if (kind === 'idc') return idcUser(email.toUpperCase(), undefined, `p-${i}`);
    return idcUser('N/A', email, `p-na-${i}`);
  });
}

describe('planRemovals, for any organisation', () => {
  it('never plans a deletion outside the leavers, nor of a current member or a protected role', () => {
    fc.assert(
      fc.property(populationArb, ({ people, protectedPick, prefix }) => {
        const quickSightUsers = people.flatMap((p, i) => usersOf(p.email, p.kinds, i));
        const currentMembers = new Set(people.filter((p) => p.current).map((p) => p.email));
        const ledger = ledgerOf(people.filter((p) => p.inLedger).map((p) => p.email));
        const protectedUser = people[protectedPick % people.length]?.email ?? '';
        // DeleteUser events may name anyone, members included (a stale or replayed event).
        const evented = people.filter((p) => p.deletedEvent).map((p) => p.email);
        const removals = [
          ...findLeavers({
            ledger,
            currentMembers,
            quickSightUsers,
            managedUsernamePrefix: prefix,
          }),
          ...evented.map((email): Removal => ({ email, source: 'deleted_event', userId: 'u' })),
        ];
        const plan = planRemovals({
          removals,
          quickSightUsers,
          currentMembers,
          protectedRoles: PROTECTED_ROLES,
          protectedUsers: [protectedUser],
          guard: { maxDeletions: 10_000, maxDeletionPercent: 100 },
        });
        const leavers = new Set(
          [...ledger.map((l) => l.email), ...evented].filter((e) => !currentMembers.has(e)),
        );
        for (const d of plan.decisions.filter((x) => x.decision === 'delete')) {
          const user = quickSightUsers.find((u) => u.arn === d.quickSightUser?.arn);
          if (!user) throw new Error('a deletion of a user that does not exist');
          const keys = emailKeysOf(user);
          const managed = prefix !== undefined && user.userName.startsWith(prefix);
          expect(keys.some((k) => leavers.has(k)) || managed).toBe(true);
          expect(keys.some((k) => currentMembers.has(k))).toBe(false);
          expect(keys).not.toContain(protectedUser);
          expect(user.role).toBe('READER');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('plans the same set twice in a row, whatever the input order', () => {
    fc.assert(
      fc.property(populationArb, fc.integer(), ({ people }, seed) => {
        const quickSightUsers = people.flatMap((p, i) => usersOf(p.email, p.kinds, i));
        const currentMembers = new Set(people.filter((p) => p.current).map((p) => p.email));
        const ledger = ledgerOf(people.filter((p) => p.inLedger).map((p) => p.email));
        const run = (order: (xs: readonly unknown[]) => number[]) => {
          const qs = order(quickSightUsers).map((i) => quickSightUsers[i] as QuickSightUser);
          const led = order(ledger).map((i) => ledger[i] as LedgerEntry);
          return planRemovals({
            removals: findLeavers({ ledger: led, currentMembers, quickSightUsers: qs }),
            quickSightUsers: qs,
            currentMembers,
            protectedRoles: PROTECTED_ROLES,
            protectedUsers: [],
            guard: { maxDeletions: 5, maxDeletionPercent: 30 },
          });
        };
        const identity = (xs: readonly unknown[]) => xs.map((_, i) => i);
        const rotated = (xs: readonly unknown[]) =>
          xs.map((_, i) => (i + Math.abs(seed)) % xs.length).reverse();
        const first = run(identity);
        expect(run(identity)).toEqual(first);
        expect(run(rotated)).toEqual(first);
        if (first.guard.tripped) expect(first.counts.delete).toBe(0);
        else expect(deletionTargets(first.decisions).length).toBeLessThanOrEqual(5);
      }),
      { numRuns: 200 },
    );
  });
});
