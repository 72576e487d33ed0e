import { describe, expect, it } from 'vitest';
import {
  applyGuard,
  countGuardedWrites,
  describeGuardedWrites,
  emptiedGroups,
  evaluateGuard,
} from '../../../../services/removals/plan/guard.js';
import type { Decision } from '../../../../shared/domain.js';

const limits = { maxDeletions: 100, maxDeletionPercent: 10, emptiedGroups: [] as string[] };

describe('evaluateGuard', () => {
  it.each([
    ['under both limits', 50, 2200, false],
    ['exactly at the count limit', 100, 2200, false],
    ['one over the count limit', 101, 2200, true],
    ['exactly at the percent limit', 22, 220, false],
    ['one over the percent limit', 23, 220, true],
    ['no deletions, no users', 0, 0, false],
  ])('%s: %i of %i users', (_title, deletions, users, tripped) => {
    const guard = evaluateGuard({ ...limits, deletions, quickSightUserCount: users });
    expect(guard.tripped).toBe(tripped);
    expect(guard.reasons.length > 0).toBe(tripped);
    expect(guard.howToOverride === '').toBe(!tripped);
  });

  it('compares percentages exactly (29 of 100 at 29% is allowed, 30 is not)', () => {
    const at = { ...limits, maxDeletionPercent: 29, quickSightUserCount: 100 };
    expect(evaluateGuard({ ...at, deletions: 29 }).tripped).toBe(false);
    expect(evaluateGuard({ ...at, deletions: 30 }).tripped).toBe(true);
  });

  it('names the limit that tripped, and both when both did', () => {
    const count = evaluateGuard({ ...limits, deletions: 150, quickSightUserCount: 5000 });
    expect(count.reasons).toEqual([expect.stringContaining('IDSYNC_MAX_DELETIONS=100')]);
    const both = evaluateGuard({ ...limits, deletions: 900, quickSightUserCount: 2200 });
    expect(both.reasons).toHaveLength(2);
    expect(both.reasons[1]).toContain('40.9%');
    expect(both.reasons[1]).toContain('IDSYNC_MAX_DELETION_PERCENT=10');
  });

  it('says how to override: the flag for this run and the variables', () => {
    const guard = evaluateGuard({ ...limits, deletions: 900, quickSightUserCount: 2200 });
    expect(guard.howToOverride).toContain('--max-deletions 900');
    expect(guard.howToOverride).toContain('IDSYNC_MAX_DELETIONS');
    expect(guard.howToOverride).toContain('IDSYNC_MAX_DELETION_PERCENT');
  });

  it('--max-deletions N replaces both limits for the run, and still trips above N', () => {
    const allowed = evaluateGuard({
      ...limits,
      deletions: 900,
      quickSightUserCount: 2200,
      override: { maxDeletions: 900 },
    });
    expect(allowed).toEqual({ tripped: false, reasons: [], howToOverride: '' });
    const above = evaluateGuard({
      ...limits,
      deletions: 901,
      quickSightUserCount: 2200,
      override: { maxDeletions: 900 },
    });
    expect(above.tripped).toBe(true);
    expect(above.reasons[0]).toContain('--max-deletions 900');
  });

  it('trips on a group that went empty even with no deletions, and the override does not lift it', () => {
    const input = {
      ...limits,
      deletions: 0,
      quickSightUserCount: 2200,
      emptiedGroups: ['readers@example.com'],
    };
    const guard = evaluateGuard({ ...input, override: { maxDeletions: 5000 } });
    expect(guard.tripped).toBe(true);
    expect(guard.reasons[0]).toContain('readers@example.com');
    expect(guard.reasons[0]).toContain('failed read');
    expect(guard.howToOverride).toContain('--allow-emptied-groups');
    expect(evaluateGuard({ ...input, override: { allowEmptiedGroups: true } }).tripped).toBe(false);
  });
});

describe('what the guard says it counted', () => {
  it('names deletions, role changes and group removals when the run has more than deletions', () => {
    const kinds = { deletions: 600, roleChanges: 10, groupRemovals: 2 };
    const guard = evaluateGuard({
      ...limits,
      deletions: 612,
      kinds,
      quickSightUserCount: 2000,
    });
    expect(guard.reasons).toEqual([
      '612 changes (600 deletions, 10 role changes, 2 group removals) exceed IDSYNC_MAX_DELETIONS=100',
      '612 changes (600 deletions, 10 role changes, 2 group removals) are 30.6% of 2000 QuickSight users, above IDSYNC_MAX_DELETION_PERCENT=10',
    ]);
    const overridden = evaluateGuard({
      ...limits,
      deletions: 3,
      kinds: { deletions: 0, roleChanges: 1, groupRemovals: 2 },
      quickSightUserCount: 2000,
      override: { maxDeletions: 2 },
    });
    expect(overridden.reasons).toEqual([
      '3 changes (1 role change, 2 group removals) exceed --max-deletions 2',
    ]);
  });

  it('keeps "N deletions" when every counted write is a deletion, or the kinds are not given', () => {
    expect(describeGuardedWrites(5, { deletions: 5, roleChanges: 0, groupRemovals: 0 })).toBe(
      '5 deletions',
    );
    expect(describeGuardedWrites(5)).toBe('5 deletions');
    expect(describeGuardedWrites(1, { deletions: 0, roleChanges: 0, groupRemovals: 1 })).toBe(
      '1 change (1 group removal)',
    );
  });

  it('counts decisions by kind', () => {
    const of = (decision: Decision['decision']) => ({ decision });
    expect(
      countGuardedWrites([
        of('delete'),
        of('upgrade'),
        of('downgrade'),
        of('leave_group'),
        of('leave_group'),
        of('delete'),
      ]),
    ).toEqual({ deletions: 2, roleChanges: 2, groupRemovals: 2 });
  });
});

describe('emptiedGroups', () => {
  it('lists groups that had members and have none, comparing names as emails', () => {
    expect(
      emptiedGroups(
        { 'Readers@Example.com': 40, 'authors@example.com': 3, 'new@example.com': 0 },
        { 'readers@example.com': 0, 'authors@example.com': 3, 'new@example.com': 0 },
      ),
    ).toEqual(['readers@example.com']);
  });

  it('ignores groups no longer configured and groups that were already empty', () => {
    expect(
      emptiedGroups({ 'old@example.com': 10, 'e@example.com': 0 }, { 'e@example.com': 0 }),
    ).toEqual([]);
    expect(emptiedGroups({}, { 'first-run@example.com': 0 })).toEqual([]);
  });
});

describe('applyGuard', () => {
  const decision = (kind: Decision['decision']): Decision => ({
    email: `${kind}@example.com`,
    source: 'group_removal',
    sources: ['group_removal'],
    decision: kind,
    reason: 'r',
  });
  const decisions = [
    decision('delete'),
    decision('protected'),
    decision('not_found'),
    decision('deferred'),
  ];

  it('turns every delete into blocked with the guard reasons when tripped', () => {
    const guard = evaluateGuard({ ...limits, deletions: 500, quickSightUserCount: 600 });
    const out = applyGuard(decisions, guard);
    expect(out.map((d) => d.decision)).toEqual(['blocked', 'protected', 'not_found', 'deferred']);
    expect(out[0]?.reason).toContain('guard tripped');
    expect(out[0]?.reason).toContain('IDSYNC_MAX_DELETIONS=100');
  });

  it('changes nothing when not tripped', () => {
    const guard = evaluateGuard({ ...limits, deletions: 1, quickSightUserCount: 600 });
    expect(applyGuard(decisions, guard)).toEqual(decisions);
  });
});
