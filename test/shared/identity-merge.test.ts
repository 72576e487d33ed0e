import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdcUser } from '../../shared/domain.js';
import {
  identityFingerprint,
  identityView,
  identityWrite,
  ledgerMembersDigest,
  ledgerView,
  mergeIdentity,
  mergeLedger,
  mergeLedgerBucket,
  primaryEmail,
  type StoredLedgerEntry,
  stableHash,
} from '../../shared/identity-merge.js';

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

const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.UTC(2026, 0, 1) + hours * HOUR).toISOString();
const summary = (r: ReturnType<typeof mergeIdentity>) => ({
  lastSeen: r.lastSeen,
  fingerprint: identityFingerprint(r),
  ...(r.goneAt ? { goneAt: r.goneAt } : {}),
});

describe('identityWrite', () => {
  it('writes new, changed and revived users, and nothing for an unchanged sighting', () => {
    const stored = mergeIdentity(undefined, alice, at(0));
    expect(identityWrite(undefined, alice, at(0))).toBe('new');
    expect(identityWrite(summary(stored), alice, at(1))).toBeUndefined();
    expect(identityWrite(summary(stored), alice, at(24 * 365))).toBeUndefined();
    for (const changed of [
      { ...alice, userName: 'alice2@example.com' },
      { ...alice, displayName: 'Alice B' },
      { ...alice, emails: [{ value: 'other@example.com', primary: true }] },
      { ...alice, emails: [{ value: 'Alice@Example.com' }, { value: 'b@x.com', primary: true }] },
      { ...alice, externalIds: [{ issuer: 'https://scim.googleapis.com', id: 'g-2' }] },
    ]) {
      expect(identityWrite(summary(stored), changed, at(1))).toBe('changed');
    }
    expect(identityWrite({ ...summary(stored), goneAt: at(1) }, alice, at(2))).toBe('revived');
    expect(identityWrite({ ...summary(stored), goneAt: at(3) }, alice, at(2))).toBeUndefined();
  });

  it('the fingerprint depends on the listed attributes only', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 1e5 }), (name, id, h) => {
        const user = { ...alice, userName: name, externalIds: [{ issuer: 'i', id }] };
        const a = mergeIdentity(undefined, user, at(0));
        const b = mergeIdentity(a, user, at(h));
        expect(identityFingerprint(b)).toBe(identityFingerprint(a));
        expect(identityFingerprint(a)).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }),
    );
  });
});

describe('identityView', () => {
  const latest = { runId: 'r9', startedAt: at(9) };
  it('a record not gone reads as seen by the newest recorded listing; a gone one keeps its time', () => {
    const r = mergeIdentity(undefined, alice, at(1));
    expect(identityView(r, latest)).toMatchObject({ lastSeen: at(9), lastSeenRunId: 'r9' });
    expect(identityView({ ...r, goneAt: at(5) }, latest).lastSeen).toBe(at(1));
    expect(identityView({ ...r, lastSeen: at(10) }, latest).lastSeen).toBe(at(10));
    expect(identityView(r, undefined)).toBe(r);
  });
});

describe('ledgerMembersDigest', () => {
  it('depends on who, with which id and groups, not on order', () => {
    const a = { email: 'a@x.com', googleId: '1', groups: ['g', 'h'] };
    const b = { email: 'b@x.com', googleId: '2', groups: ['g'] };
    const digest = ledgerMembersDigest([a, b]);
    expect(ledgerMembersDigest([b, { ...a, groups: ['h', 'g'] }])).toBe(digest);
    for (const other of [[a], [a, { ...b, googleId: '3' }], [a, { ...b, groups: ['h'] }], []])
      expect(ledgerMembersDigest(other)).not.toBe(digest);
  });
});

describe('stableHash', () => {
  it('spreads keys evenly over buckets', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[stableHash(`user${i}@example.com`) % 16]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

const entry = (email: string, over: Partial<StoredLedgerEntry> = {}): StoredLedgerEntry => ({
  email,
  googleId: `id-${email}`,
  groups: ['g@example.com'],
  firstSeenAsMember: at(0),
  lastSeenAsMember: at(0),
  lastSeenRunId: 'r0',
  member: true,
  ...over,
});
const seen = (email: string, groups = ['g@example.com']) => ({
  email,
  googleId: `id-${email}`,
  groups,
});

describe('mergeLedgerBucket', () => {
  const r1 = { runId: 'r1', at: at(1) };
  const r2 = { runId: 'r2', at: at(2) };

  it('changes nothing when the same members are listed again', () => {
    const entries = { a: entry('a'), b: entry('b') };
    expect(mergeLedgerBucket(entries, [seen('a'), seen('b')], r2, r1).changed).toBe(false);
  });

  it('adds new members, rewrites changed ones, and closes those no longer listed', () => {
    const entries = { a: entry('a'), b: entry('b'), c: entry('c', { member: undefined }) };
    const { entries: out, changed } = mergeLedgerBucket(
      entries,
      [seen('a', ['h@example.com']), seen('d')],
      r2,
      r1,
    );
    expect(changed).toBe(true);
    expect(out.a).toMatchObject({
      groups: ['h@example.com'],
      lastSeenAsMember: at(2),
      member: true,
    });
    expect(out.d).toMatchObject({ firstSeenAsMember: at(2), lastSeenRunId: 'r2', member: true });
    expect(out.b).toEqual({
      ...entry('b', { lastSeenAsMember: at(1), lastSeenRunId: 'r1' }),
      member: undefined,
    });
    expect(out.b).not.toHaveProperty('member');
    expect(out.c).toBe(entries.c);
  });

  it('a member reads as last seen by the newest recorded run; someone who left keeps their time', () => {
    expect(ledgerView(entry('a'), r2)).toMatchObject({
      lastSeenAsMember: at(2),
      lastSeenRunId: 'r2',
    });
    expect(ledgerView(entry('a'), r2)).not.toHaveProperty('member');
    expect(ledgerView(entry('a', { member: undefined }), r2).lastSeenAsMember).toBe(at(0));
    expect(ledgerView(entry('a', { lastSeenAsMember: at(3) }), r2).lastSeenAsMember).toBe(at(3));
  });

  it('the last sighting the ledger reports equals replaying every run (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray(['a', 'b', 'c', 'd']), { minLength: 1, maxLength: 8 }),
        (runs) => {
          let entries: Record<string, StoredLedgerEntry> = {};
          let previous: { runId: string; at: string } | undefined;
          const truth = new Map<string, string>();
          runs.forEach((listed, i) => {
            const run = { runId: `r${i}`, at: at(i) };
            entries = mergeLedgerBucket(
              entries,
              listed.map((e) => seen(e)),
              run,
              previous,
            ).entries;
            for (const e of listed) truth.set(e, run.at);
            previous = run;
          });
          for (const [email, last] of truth) {
            expect(ledgerView(entries[email] as StoredLedgerEntry, previous).lastSeenAsMember).toBe(
              last,
            );
          }
          expect(Object.keys(entries).sort()).toEqual([...truth.keys()].sort());
        },
      ),
    );
  });
});
