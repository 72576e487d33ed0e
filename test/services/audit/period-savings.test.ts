import { describe, expect, it } from 'vitest';
import { periodSavings } from '../../../services/audit/period-savings.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';

const row = (over: Partial<AuditRecord>): AuditRecord => ({
  runId: 'r',
  at: '2026-12-01T10:00:00.000Z',
  kind: 'outcome',
  outcome: 'deleted',
  role: 'READER',
  ...over,
});

describe('periodSavings', () => {
  it('prices each deleted outcome of the period by role; other rows and older rows do not count', () => {
    const rows = [
      row({}),
      row({ role: 'AUTHOR' }),
      row({ role: 'reader_pro' }),
      row({ outcome: 'failed' }),
      row({ outcome: 'already_gone' }),
      row({ kind: 'decision', outcome: undefined, decision: 'delete' }),
      row({ kind: 'decision', outcome: undefined, decision: 'ends_with_group' }),
      row({ at: '2026-11-07T09:59:59.999Z' }),
    ];
    const { savings } = periodSavings('2026-11-07T10:00:00.000Z', rows, DEFAULT_PRICES);
    expect(savings.byRole).toEqual([
      { role: 'READER', count: 1, price: 3, monthly: 3 },
      { role: 'READER_PRO', count: 1, price: 20, monthly: 20 },
      { role: 'AUTHOR', count: 1, price: 24, monthly: 24 },
    ]);
    expect(savings).toMatchObject({ seats: 3, monthly: 47 });
  });

  it('downgrades save the price difference of each role pair; upgrades and failed changes do not', () => {
    const change = (role: string, targetRole: string, over: Partial<AuditRecord> = {}) =>
      row({
        outcome: 'role_changed',
        decision: 'downgrade',
        role,
        detail: { targetRole },
        ...over,
      });
    const rows = [
      change('AUTHOR', 'READER', { userName: 'a' }),
      change('AUTHOR', 'READER', { userName: 'b' }),
      change('AUTHOR_PRO', 'READER_PRO', { userName: 'c' }),
      change('READER', 'AUTHOR', { userName: 'd', decision: 'upgrade' }),
      change('AUTHOR', 'READER', { userName: 'e', outcome: 'failed' }),
      change('AUTHOR', 'READER', { userName: 'f', at: '2026-11-01T00:00:00.000Z' }),
    ];
    const result = periodSavings('2026-11-07T10:00:00.000Z', rows, DEFAULT_PRICES);
    expect(result.downgrades).toEqual({
      byPair: [
        { from: 'AUTHOR', to: 'READER', count: 2, each: 21, monthly: 42 },
        { from: 'AUTHOR_PRO', to: 'READER_PRO', count: 1, each: 20, monthly: 20 },
      ],
      count: 3,
      monthly: 62,
    });
    expect(result.savings.seats).toBe(0);
    expect(result.monthly).toBe(62);
  });

  it('seats kept that need attention: the newest row of each person keeps the seat, priced by role', () => {
    const decision = (userName: string, d: string, role: string, at = '2026-12-01T10:00:00.000Z') =>
      row({ kind: 'decision', outcome: undefined, decision: d, userName, role, at });
    const rows = [
      decision('admin', 'protected', 'ADMIN'),
      decision('admin', 'protected', 'ADMIN', '2026-12-02T10:00:00.000Z'),
      decision('author', 'deferred', 'AUTHOR'),
      // Deferred by the worker (assets and no successor): kept.
      row({ userName: 'pro', role: 'AUTHOR_PRO', outcome: 'deferred', decision: 'delete' }),
      // Deferred, then deleted once a successor was set: not kept, saved.
      decision('later', 'deferred', 'AUTHOR'),
      row({ userName: 'later', role: 'AUTHOR', at: '2026-12-03T10:00:00.000Z' }),
      // A downgrade deferred keeps no seat (the seat stays, at its role).
      row({ userName: 'dg', role: 'AUTHOR', outcome: 'deferred', decision: 'downgrade' }),
      decision('planned', 'delete', 'READER'),
    ];
    const result = periodSavings('2026-11-07T10:00:00.000Z', rows, DEFAULT_PRICES);
    expect(result.kept.byRole).toEqual([
      { role: 'AUTHOR', count: 1, price: 24, monthly: 24 },
      { role: 'AUTHOR_PRO', count: 1, price: 40, monthly: 40 },
      { role: 'ADMIN', count: 1, price: 24, monthly: 24 },
    ]);
    expect(result.kept).toMatchObject({ seats: 3, monthly: 88 });
    expect(result.savings).toMatchObject({ seats: 1, monthly: 24 });
    expect(result.monthly).toBe(24);
  });
});
