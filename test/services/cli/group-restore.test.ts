import { describe, expect, it } from 'vitest';
import { restoreEmail } from '../../../services/cli/commands/restore.js';
import { groupsToRestore, restoreRow } from '../../../services/cli/group-restore.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';

/**
 * What `idsync restore EMAIL` owes a person, from their audit rows (services/cli/group-restore.ts),
 * and its EMAIL argument.
 */

const email = 'ann@example.com';
const left = (group: string, at: string, runId = 'apply-1'): AuditRecord => ({
  runId,
  at,
  kind: 'outcome',
  email,
  decision: 'leave_group',
  outcome: 'left_group',
  detail: { group },
});
const restored = (group: string, at: string, outcome = 'restored'): AuditRecord =>
  restoreRow({
    runId: 'restore-1',
    at,
    email,
    removed: { group, leftAt: '2026-12-01T00:00:00Z', runId: 'apply-1' },
    applied: true,
    outcome: outcome as 'restored',
  });

describe('groupsToRestore', () => {
  it('owes every group a left_group outcome names, sorted, the latest removal each', () => {
    expect(
      groupsToRestore([
        left('r@example.com', '2026-12-02T00:00:00Z', 'apply-2'),
        left('a@example.com', '2026-12-01T00:00:00Z'),
        left('r@example.com', '2026-12-01T00:00:00Z'),
      ]),
    ).toEqual([
      { group: 'a@example.com', leftAt: '2026-12-01T00:00:00Z', runId: 'apply-1' },
      { group: 'r@example.com', leftAt: '2026-12-02T00:00:00Z', runId: 'apply-2' },
    ]);
  });

  it('a later restore (restored or already a member) settles the debt; a failed one does not', () => {
    const rows = [left('a@example.com', '2026-12-01T00:00:00Z')];
    expect(groupsToRestore([...rows, restored('a@example.com', '2026-12-02T00:00:00Z')])).toEqual(
      [],
    );
    expect(
      groupsToRestore([
        ...rows,
        restored('a@example.com', '2026-12-02T00:00:00Z', 'already_member'),
      ]),
    ).toEqual([]);
    expect(
      groupsToRestore([...rows, restored('a@example.com', '2026-12-02T00:00:00Z', 'failed')]),
    ).toHaveLength(1);
    // Removed again after the restore: owed again.
    expect(
      groupsToRestore([
        ...rows,
        restored('a@example.com', '2026-12-02T00:00:00Z'),
        left('a@example.com', '2026-12-03T00:00:00Z'),
      ]).map((g) => g.leftAt),
    ).toEqual(['2026-12-03T00:00:00Z']);
  });

  it('ignores decisions, dry-run rows, deletions and rows without a group', () => {
    expect(
      groupsToRestore([
        { ...left('a@example.com', '2026-12-01T00:00:00Z'), kind: 'decision' },
        { ...left('a@example.com', '2026-12-01T00:00:00Z'), outcome: 'deleted' },
        { ...left('a@example.com', '2026-12-01T00:00:00Z'), detail: {} },
        restoreRow({
          runId: 'r',
          at: '2026-12-01T00:00:00Z',
          email,
          removed: { group: 'b@example.com', leftAt: 'x', runId: 'y' },
          applied: false,
        }),
      ]),
    ).toEqual([]);
  });
});

describe('restoreEmail', () => {
  it('normalises an e-mail and refuses anything else with a usage error', () => {
    expect(restoreEmail('  Ann@Example.COM ')).toBe(email);
    for (const bad of [
      '',
      '   ',
      'ann',
      'ann@',
      '@example.com',
      'a b@example.com',
      'x'.repeat(400),
    ])
      expect(() => restoreEmail(bad)).toThrow(/restore needs|is not an e-mail address/);
  });
});
