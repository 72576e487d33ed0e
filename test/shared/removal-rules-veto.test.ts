import { describe, expect, it } from 'vitest';
import {
  EVENT_TIME_PRECISION_MS,
  isMemberAgain,
  isObservedAfter,
  QUEUE_TIME_PRECISION_MS,
  rejoinVetoApplies,
} from '../../shared/removal-rules.js';

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

describe('a membership observation is newer than an event from the end of its precision step', () => {
  const eventAt = '2026-12-01T10:00:00.000Z';
  const at = (ms: number) => new Date(Date.parse(eventAt) + ms).toISOString();

  it.each([
    [-1, false],
    [0, false],
    [999, false],
    [1000, true],
    [1001, true],
  ])('observed %i ms after a CloudTrail event (whole seconds): newer %j', (ms, newer) => {
    expect(isObservedAfter(at(ms), eventAt, EVENT_TIME_PRECISION_MS)).toBe(newer);
  });

  it.each([
    [-1, false],
    [0, false],
    [1, true],
  ])('observed %i ms after a queue time (milliseconds): newer %j', (ms, newer) => {
    expect(isObservedAfter(at(ms), eventAt, QUEUE_TIME_PRECISION_MS)).toBe(newer);
  });

  it('compares instants, not strings (an offset time and a UTC time of one instant)', () => {
    expect(isObservedAfter('2026-12-01T11:00:01+01:00', eventAt, EVENT_TIME_PRECISION_MS)).toBe(
      true,
    );
    expect(isObservedAfter('2026-12-01T11:00:00.999+01:00', eventAt, EVENT_TIME_PRECISION_MS)).toBe(
      false,
    );
    expect(isObservedAfter('2026-12-01T11:00:00.001+01:00', eventAt, QUEUE_TIME_PRECISION_MS)).toBe(
      true,
    );
  });

  it('a queued task is vetoed by a snapshot from one millisecond after its queueing', () => {
    const t = { ...task, source: 'group_removal' };
    const queuedPlus = (ms: number) => new Date(Date.parse(task.createdAt) + ms).toISOString();
    expect(isMemberAgain(t, members, queuedPlus(-1))).toBe(false);
    expect(isMemberAgain(t, members, task.createdAt)).toBe(false);
    expect(isMemberAgain(t, members, queuedPlus(1))).toBe(true);
    expect(isMemberAgain(t, members, '2026-12-01T11:00:00.001+01:00')).toBe(true);
  });
});
