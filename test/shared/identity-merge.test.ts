import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdcUser } from '../../shared/domain.js';
import { mergeIdentity, mergeLedger, primaryEmail } from '../../shared/identity-merge.js';

const alice: IdcUser = {
  userId: 'u-1',
  userName: 'alice@example.com',
  displayName: 'Alice',
  emails: [{ value: 'Alice@Example.com', primary: true, type: 'work' }],
  externalIds: [{ issuer: 'https://scim.googleapis.com', id: 'g-1' }],
};

describe('primaryEmail', () => {
  it('takes the primary email, else the first, normalised', () => {
    expect(primaryEmail(alice)).toBe('alice@example.com');
    expect(
      primaryEmail({
        emails: [{ value: ' ＢＯＢ@example.com' }, { value: 'x@y.z', primary: false }],
      }),
    ).toBe('bob@example.com');
    expect(primaryEmail({ emails: [] })).toBeUndefined();
  });
});

describe('mergeIdentity', () => {
  it('records a new user with firstSeen = lastSeen and no history', () => {
    const r = mergeIdentity(undefined, alice, '2026-01-01T00:00:00.000Z');
    expect(r).toEqual({
      userId: 'u-1',
      userName: 'alice@example.com',
      displayName: 'Alice',
      emails: ['Alice@Example.com'],
      email: 'alice@example.com',
      externalIds: alice.externalIds,
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-01T00:00:00.000Z',
      history: [],
    });
  });

  it('keeps firstSeen, moves lastSeen and keeps previous names and emails in history', () => {
    const first = mergeIdentity(undefined, alice, '2026-01-01T00:00:00.000Z');
    const same = mergeIdentity(first, alice, '2026-01-02T00:00:00.000Z');
    expect(same.history).toEqual([]);
    expect(same.firstSeen).toBe('2026-01-01T00:00:00.000Z');
    expect(same.lastSeen).toBe('2026-01-02T00:00:00.000Z');
    const renamed = mergeIdentity(
      same,
      {
        ...alice,
        userName: 'alice.smith@example.com',
        emails: [{ value: 'alice.smith@example.com', primary: true }],
      },
      '2026-01-03T00:00:00.000Z',
    );
    expect(renamed.email).toBe('alice.smith@example.com');
    expect(renamed.history).toEqual([
      {
        until: '2026-01-03T00:00:00.000Z',
        userName: 'alice@example.com',
        emails: ['Alice@Example.com'],
      },
    ]);
  });

  it('never moves lastSeen backwards and never invents goneAt', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }),
        (times) => {
          let record: ReturnType<typeof mergeIdentity> | undefined;
          for (const t of times)
            record = mergeIdentity(record, alice, new Date(t * 1000).toISOString());
          const max = new Date(Math.max(...times) * 1000).toISOString();
          expect(record?.lastSeen).toBe(max);
          expect(record?.firstSeen).toBe(new Date((times[0] as number) * 1000).toISOString());
          expect(record?.goneAt).toBeUndefined();
        },
      ),
    );
  });

  it('a user seen after goneAt is alive again; a stale sighting keeps goneAt', () => {
    const gone = {
      ...mergeIdentity(undefined, alice, '2026-01-01T00:00:00.000Z'),
      goneAt: '2026-01-05T00:00:00.000Z',
    };
    expect(mergeIdentity(gone, alice, '2026-01-04T00:00:00.000Z').goneAt).toBe(
      '2026-01-05T00:00:00.000Z',
    );
    expect(mergeIdentity(gone, alice, '2026-01-06T00:00:00.000Z').goneAt).toBeUndefined();
  });
});

describe('mergeLedger', () => {
  it('keeps firstSeenAsMember and updates the rest', () => {
    const seen = {
      email: 'a@example.com',
      googleId: 'g1',
      groups: ['b@example.com', 'a@example.com'],
    };
    const first = mergeLedger(undefined, seen, '2026-01-01T00:00:00.000Z', 'r1');
    expect(first).toEqual({
      email: 'a@example.com',
      googleId: 'g1',
      groups: ['a@example.com', 'b@example.com'],
      firstSeenAsMember: '2026-01-01T00:00:00.000Z',
      lastSeenAsMember: '2026-01-01T00:00:00.000Z',
      lastSeenRunId: 'r1',
    });
    const second = mergeLedger(
      first,
      { ...seen, groups: ['a@example.com'] },
      '2026-02-01T00:00:00.000Z',
      'r2',
    );
    expect(second).toMatchObject({
      firstSeenAsMember: '2026-01-01T00:00:00.000Z',
      lastSeenAsMember: '2026-02-01T00:00:00.000Z',
      lastSeenRunId: 'r2',
      groups: ['a@example.com'],
    });
  });
});
