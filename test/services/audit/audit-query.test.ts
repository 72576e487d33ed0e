import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditFilters,
  matchesFilters,
  planAuditQuery,
} from '../../../services/audit/audit-query.js';
import type { StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { UsageError } from '../../../shared/errors.js';

describe('planAuditQuery', () => {
  it('picks one key per filter: run → table, email → byEmail, user id → byUserId, time → byDay', () => {
    expect(planAuditQuery({ runId: 'r' })).toMatchObject({ path: 'table', inMemory: [] });
    expect(planAuditQuery({ email: 'A@x.com' })).toMatchObject({
      path: 'byEmail',
      describe: 'email a@x.com',
      inMemory: [],
    });
    expect(planAuditQuery({ userId: 'u' })).toMatchObject({ path: 'byUserId', inMemory: [] });
    expect(planAuditQuery({ since: '2026-11-01T00:00:00.000Z' })).toMatchObject({ path: 'byDay' });
  });

  it('with several filters: user id, then email, then run; since rides in the GSI key condition', () => {
    expect(planAuditQuery({ runId: 'r', email: 'a@x', userId: 'u', since: 's' })).toMatchObject({
      path: 'byUserId',
      inMemory: ['runId', 'email'],
    });
    expect(planAuditQuery({ runId: 'r', email: 'a@x', since: 's' })).toMatchObject({
      path: 'byEmail',
      inMemory: ['runId'],
    });
    expect(planAuditQuery({ runId: 'r', since: 's' })).toMatchObject({
      path: 'table',
      inMemory: ['since'],
    });
  });

  it('refuses no filter at all (blank values count as absent)', () => {
    expect(() => planAuditQuery({})).toThrow(UsageError);
    expect(() => planAuditQuery({ runId: ' ', email: '' })).toThrow(UsageError);
  });
});

describe('matchesFilters', () => {
  const row = (r: Partial<StoredAuditRecord>): StoredAuditRecord =>
    ({
      runId: 'r1',
      at: '2026-11-27T10:00:00.000Z',
      kind: 'decision',
      sk: 's',
      day: 'd',
      ...r,
    }) as StoredAuditRecord;

  it('a row matches exactly when it meets every given filter', () => {
    const arb = fc.record(
      {
        runId: fc.constantFrom('r1', 'r2'),
        email: fc.constantFrom('a@x.com', 'B@X.com', 'c@x.com'),
        userId: fc.constantFrom('u1', 'u2'),
        since: fc.constantFrom('2026-11-27T09:00:00.000Z', '2026-11-27T11:00:00.000Z'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        arb,
        fc.constantFrom('a@x.com', 'b@x.com'),
        fc.constantFrom('u1', 'u2'),
        (f: AuditFilters, email, userId) => {
          const r = row({ email, userId });
          const expected =
            (f.runId === undefined || f.runId === r.runId) &&
            (f.email === undefined || f.email.toLowerCase() === email) &&
            (f.userId === undefined || f.userId === userId) &&
            (f.since === undefined || r.at >= f.since);
          expect(matchesFilters(r, f)).toBe(expected);
        },
      ),
    );
  });
});
