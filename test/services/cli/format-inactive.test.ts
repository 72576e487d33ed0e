import { describe, expect, it } from 'vitest';
import { formatInactive, keptRows } from '../../../services/cli/format-inactive.js';
import type { InactiveSelection } from '../../../services/removals/idle/inactive-removals.js';
import type { InactiveResult } from '../../../services/removals/idle/run-inactive.js';

const reason = 'kept: member of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)';
const keptUser = (email: string, userName: string) => ({
  email,
  userName,
  role: 'READER',
  verdict: { idle: false as const, why: 'kept' as const, reason, group: 'reports@example.com' },
});

const selection: InactiveSelection = {
  removals: [],
  idle: [],
  idleSoon: [],
  kept: [
    keptUser('a@example.com', 'r/a@example.com'),
    keptUser('b@example.com', 'Evil\u202Egnp\u001b[31m/b@example.com'),
  ],
  counts: {
    judged: 5,
    idle: 0,
    active: 3,
    created: 0,
    uncovered: 0,
    kept: 2,
    covered: 5,
    unmanaged: 1,
  },
};
const result: InactiveResult = { selection, history: { imported: 0 }, snapshotRunId: 'snap-1' };

describe('format-inactive', () => {
  it('counts and lists the kept users, escaped, up to the limit', () => {
    const text = formatInactive(result, {
      days: 60,
      roles: ['READER'],
      keepGroups: ['reports@example.com'],
      limit: 1,
    });
    expect(text).toContain(
      '5 judged, 0 idle, 3 active, 0 new within 60 days, 0 not covered by the record, 2 kept (keep groups)',
    );
    expect(text).toContain(
      'kept: members of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS) are never idle (2)',
    );
    expect(text).toContain(`  a@example.com  r/a@example.com [READER]  ${reason}`);
    expect(text).toContain('  … and 1 more (--json lists all)');
    const all = formatInactive(result, {
      days: 60,
      roles: ['READER'],
      keepGroups: ['x@y.z'],
      limit: 5,
    });
    expect(all).toContain('Evil\\u202Egnp\\x1B[31m/b@example.com');
    expect(all.includes('\u202E') || all.includes('\u001b')).toBe(false);
    // Without keep groups configured there is no kept list.
    expect(formatInactive(result, { days: 60, roles: ['READER'], limit: 5 })).not.toContain(
      'are never idle',
    );
  });

  it('audits each kept user as a kept decision of the idle rule', () => {
    expect(keptRows('run-1', '2026-12-07T00:00:00.000Z', selection)[0]).toEqual({
      runId: 'run-1',
      at: '2026-12-07T00:00:00.000Z',
      kind: 'decision',
      email: 'a@example.com',
      userName: 'r/a@example.com',
      role: 'READER',
      source: 'inactive',
      decision: 'kept',
      reason,
      detail: { keepGroup: 'reports@example.com' },
    });
  });
});
