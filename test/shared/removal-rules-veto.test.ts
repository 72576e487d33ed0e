import { describe, expect, it } from 'vitest';
import { isMemberAgain, rejoinVetoApplies } from '../../shared/removal-rules.js';

const members = new Set(['alice@example.com']);
const task = {
  email: 'alice@example.com',
  createdAt: '2026-12-01T10:00:00.000Z',
};
const later = '2026-12-01T11:00:00.000Z';

describe('the re-join veto depends on the task source', () => {
  it.each([
    ['group_removal', undefined, true],
    ['deleted_event', undefined, true],
    ['csv', true, true],
    ['csv', undefined, false],
    ['csv', false, false],
    ['inactive', undefined, false],
    ['inactive', true, false],
    ['', undefined, true],
    ['something-new', undefined, true],
  ] as const)('source %j keepMembers %j: vetoed %j', (source, keepMembers, vetoed) => {
    const t = { ...task, source, ...(keepMembers === undefined ? {} : { keepMembers }) };
    expect(rejoinVetoApplies(t)).toBe(vetoed);
    expect(isMemberAgain(t, members, later)).toBe(vetoed);
  });

  it('a task without a source (written before sources existed) keeps the veto', () => {
    expect(isMemberAgain(task, members, later)).toBe(true);
  });

  it('never vetoes on a snapshot older than the task, nor for a non-member', () => {
    const t = { ...task, source: 'group_removal' };
    expect(isMemberAgain(t, members, '2026-12-01T09:00:00.000Z')).toBe(false);
    expect(isMemberAgain(t, new Set(), later)).toBe(false);
  });
});
