import { describe, expect, it } from 'vitest';
import {
  idleWindowOf,
  isPositivelySomeoneElse,
  pendingEventsAgainst,
  pendingReason,
  principalIdcUserId,
  withPendingEvents,
} from '../../../../services/removals/idle/pending-coverage.js';
import { DAY_MS, type IdleVerdict } from '../../../../shared/idle-rule.js';
import type { PendingEvidence } from '../../../../shared/pending-events.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const window = idleWindowOf(iso(NOW), 60);
const at = (ms: number) => ({
  at: iso(ms),
  eventName: 'GetDashboard',
  source: 'cloudtrail' as const,
});
const item = (id: string, oldest: number, newest: number, events = 2): PendingEvidence => ({
  idcUserId: id,
  newest: at(newest),
  oldest: at(oldest),
  events,
});
const unknown = { emailIdcUserIds: [] };

describe('idleWindowOf', () => {
  it('is the N days ending at asOf', () => {
    expect(window).toEqual({ from: iso(NOW - 60 * DAY_MS), to: iso(NOW) });
  });
});

describe('pendingEventsAgainst (boundaries)', () => {
  const start = NOW - 60 * DAY_MS;
  it.each([
    ['newest exactly at the window start', item('u-1', start - DAY_MS, start), 2],
    ['newest 1 ms before the window start', item('u-1', start - DAY_MS, start - 1), 0],
    ['oldest exactly at the window end', item('u-1', NOW, NOW + DAY_MS), 2],
    ['oldest 1 ms after the window end', item('u-1', NOW + 1, NOW + DAY_MS), 0],
    ['both ends outside, spanning the window', item('u-1', start - 1, NOW + 1), 2],
    ['inside', item('u-1', NOW - 5 * DAY_MS, NOW - DAY_MS, 7), 7],
  ])('%s', (_name, p, expected) => {
    expect(pendingEventsAgainst(window, [p], unknown)).toBe(expected);
  });

  it('a creation-only item counts by its creation time', () => {
    const created = {
      idcUserId: 'u-1',
      created: { at: iso(NOW - DAY_MS), eventName: 'CreateUser' },
      events: 1,
    };
    expect(pendingEventsAgainst(window, [created], unknown)).toBe(1);
  });

  it('adds the events of every item the user could be', () => {
    const items = [
      item('u-1', NOW - DAY_MS, NOW - DAY_MS, 3),
      item('u-2', NOW - DAY_MS, NOW - DAY_MS, 4),
    ];
    expect(pendingEventsAgainst(window, items, unknown)).toBe(7);
    expect(pendingEventsAgainst(window, items, { emailIdcUserIds: ['u-2'] })).toBe(4);
    expect(pendingEventsAgainst(window, items, { emailIdcUserIds: ['u-3'] })).toBe(0);
  });
});

describe('isPositivelySomeoneElse', () => {
  it.each([
    ['nothing known', unknown, false],
    [
      'principal of another known IdC user',
      { knownPrincipalIdcUserId: 'u-2', emailIdcUserIds: [] },
      true,
    ],
    ['principal of this IdC user', { knownPrincipalIdcUserId: 'u-1', emailIdcUserIds: [] }, false],
    ['email of another IdC user', { emailIdcUserIds: ['u-2'] }, true],
    ['email of this and another IdC user', { emailIdcUserIds: ['u-2', 'u-1'] }, false],
    [
      'principal of another, email of this one',
      { knownPrincipalIdcUserId: 'u-2', emailIdcUserIds: ['u-1'] },
      true,
    ],
  ])('%s', (_name, facts, expected) => {
    expect(isPositivelySomeoneElse(facts, 'u-1')).toBe(expected);
  });

  it('reads the IdC user id at the end of a principal id', () => {
    expect(principalIdcUserId('user/d-906700/9a67-4b1c')).toBe('9a67-4b1c');
    expect(principalIdcUserId('federated/iam/AROAX:alice@example.com')).toBeUndefined();
    expect(principalIdcUserId('no-slash')).toBeUndefined();
    expect(principalIdcUserId(undefined)).toBeUndefined();
  });
});

describe('withPendingEvents', () => {
  const idle: IdleVerdict = { idle: true, reason: 'no activity', asOf: iso(NOW) };
  it('turns an idle verdict uncovered, with the reason', () => {
    expect(withPendingEvents(idle, 3)).toEqual({
      idle: false,
      why: 'uncovered',
      reason:
        '3 CloudTrail events of an IdC user the identity map does not know yet are not attributed',
    });
    expect(pendingReason(1)).toMatch(/^1 CloudTrail event of .* is not attributed$/);
  });
  it('leaves the verdict alone without events, or when not idle', () => {
    expect(withPendingEvents(idle, 0)).toBe(idle);
    const active: IdleVerdict = { idle: false, why: 'active', reason: 'x' };
    expect(withPendingEvents(active, 5)).toBe(active);
  });
});
