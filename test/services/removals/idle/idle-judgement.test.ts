import { describe, expect, it } from 'vitest';
import {
  judgeUser,
  type UserJudgementInput,
} from '../../../../services/removals/idle/idle-judgement.js';
import { keepGroupMembers } from '../../../../services/removals/idle/keep-groups.js';
import {
  pendingEventsAgainst,
  type UserIdentityFacts,
} from '../../../../services/removals/idle/pending-coverage.js';
import type { Span } from '../../../../shared/activity-record.js';
import { DAY_MS } from '../../../../shared/idle-rule.js';
import type { PendingEvidence } from '../../../../shared/pending-events.js';

/**
 * The one per-user idle judgement of the plan and of the worker's re-judge
 * (services/removals/idle/idle-judgement.ts): keep groups first, then the idle rule, then pending events.
 */

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** The record ends 15 minutes ago: the N days are [END − 60 days, END]. */
const END = NOW - 15 * 60_000;
const START = END - 60 * DAY_MS;

const base: UserJudgementInput = {
  users: [{ userName: 'Role/ann@example.com', email: 'Ann@Example.com' }],
  role: 'READER',
  idleRoles: new Set(['READER']),
  days: 60,
  now: new Date(NOW),
  coverage: [{ from: iso(NOW - 90 * DAY_MS), to: iso(END) }],
  last: { at: iso(NOW - 70 * DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
};

const pendingAt = (ms: number, idcUserId = 'idc-1'): PendingEvidence => ({
  idcUserId,
  newest: { at: iso(ms), eventName: 'GetDashboard', source: 'cloudtrail' },
  oldest: { at: iso(ms - DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
  events: 3,
});
const withPending = (
  items: readonly PendingEvidence[],
  facts: UserIdentityFacts = { emailIdcUserIds: [] },
) => ({ pendingEventsIn: (window: Span) => pendingEventsAgainst(window, items, facts) });

describe('judgeUser', () => {
  it('an idle user with nothing else is idle, as of the record end', () => {
    expect(judgeUser(base)).toMatchObject({ idle: true, asOf: iso(END) });
  });

  it('a keep-group member is kept whatever the record says, matched by any of its emails', () => {
    const keepMembers = keepGroupMembers([{ group: 'mail@example.com', email: 'ann@example.com' }]);
    expect(judgeUser({ ...base, keepMembers })).toEqual({
      idle: false,
      why: 'kept',
      reason: 'kept: member of mail@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)',
      group: 'mail@example.com',
    });
    // By the user name's email (the email field says someone else) or a second listed copy.
    const byName = [{ userName: 'Role/ann@example.com', email: 'other@example.com' }];
    expect(judgeUser({ ...base, users: byName, keepMembers })).toMatchObject({ why: 'kept' });
    const second = [
      { userName: 'x', email: 'other@example.com' },
      { userName: 'x', email: 'ANN@example.com' },
    ];
    expect(judgeUser({ ...base, users: second, keepMembers })).toMatchObject({ why: 'kept' });
    // Kept even with pending events and a stale record: membership decides first.
    expect(
      judgeUser({ ...base, keepMembers, coverage: [], ...withPending([pendingAt(END)]) }),
    ).toMatchObject({ why: 'kept' });
  });

  it('a non-member, or no keep members, is judged by the record', () => {
    const keepMembers = keepGroupMembers([{ group: 'mail@example.com', email: 'bob@example.com' }]);
    expect(judgeUser({ ...base, keepMembers })).toMatchObject({ idle: true });
    expect(judgeUser({ ...base, keepMembers: new Map() })).toMatchObject({ idle: true });
  });

  it.each([
    ['at the window start', START, false],
    ['1 ms before the window start', START - 1, true],
    ['at the record end', END, false],
  ])('a pending event of an unknown IdC user %s', (_name, at, idle) => {
    const verdict = judgeUser({ ...base, ...withPending([pendingAt(at)]) });
    if (idle) expect(verdict).toMatchObject({ idle: true });
    else
      expect(verdict).toMatchObject({
        idle: false,
        why: 'uncovered',
        reason:
          '3 CloudTrail events of an IdC user the identity map does not know yet are not attributed',
      });
  });

  it('pending events inside the window do not count against a user positively someone else', () => {
    const inside = [pendingAt(END - DAY_MS, 'idc-1')];
    // The principal id ends with another IdC user the identity map knows.
    expect(
      judgeUser({
        ...base,
        ...withPending(inside, { knownPrincipalIdcUserId: 'idc-2', emailIdcUserIds: [] }),
      }),
    ).toMatchObject({ idle: true });
    // The email maps to other IdC users only.
    expect(
      judgeUser({ ...base, ...withPending(inside, { emailIdcUserIds: ['idc-2'] }) }),
    ).toMatchObject({ idle: true });
    // The email maps to the pending one too: could be this user.
    expect(
      judgeUser({ ...base, ...withPending(inside, { emailIdcUserIds: ['idc-2', 'idc-1'] }) }),
    ).toMatchObject({ why: 'uncovered' });
  });

  it('pending events never change a verdict that is not idle', () => {
    const active = {
      ...base,
      last: { at: iso(NOW - DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' as const },
    };
    expect(judgeUser({ ...active, ...withPending([pendingAt(END)]) })).toMatchObject({
      why: 'active',
    });
  });
});
