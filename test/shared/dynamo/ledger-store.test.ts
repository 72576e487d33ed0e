import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../shared/domain.js';
import {
  DynamoLedger,
  ledgerBucketOf,
  nextEntryScanLimit,
} from '../../../shared/dynamo/ledger-store.js';
import { startTestTables } from '../../helpers/tables.js';

const day = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString();

const allEntries = async (ledger: DynamoLedger) => {
  const all: LedgerEntry[] = [];
  for await (const page of ledger.entries()) all.push(...page);
  return new Map(all.map((e) => [e.email, e]));
};

describe('nextEntryScanLimit', () => {
  const bucketsOf = (bytes: number, n: number) =>
    Array.from({ length: n }, () => ({ entries: 'x'.repeat(bytes) }));

  it('sizes the next page to about 100 KB of buckets, within 5..1000', () => {
    expect(nextEntryScanLimit(bucketsOf(500, 5), 5)).toBe(200);
    expect(nextEntryScanLimit(bucketsOf(20_000, 5), 5)).toBe(5);
    expect(nextEntryScanLimit(bucketsOf(300_000, 2), 5)).toBe(5);
    expect(nextEntryScanLimit(bucketsOf(10, 5), 5)).toBe(1_000);
  });

  it('keeps the limit after an empty page', () => {
    expect(nextEntryScanLimit([], 37)).toBe(37);
  });
});

describe('DynamoLedger', () => {
  it('records members, rewrites only changed buckets, and keeps exact last sightings', async () => {
    const { doc, names, close } = await startTestTables();
    try {
      const ledger = new DynamoLedger(doc, names.ledger);
      const members = Array.from({ length: 130 }, (_, i) => ({
        email: `m${i}@example.com`,
        googleId: `g${i}`,
        groups: ['readers@example.com'],
      }));
      expect(await ledger.recordMembers(members, day(1), 'r1')).toBe(130);
      const buckets = new Set(members.map((m) => ledgerBucketOf(m.email))).size;
      expect(ledger.stats.bucketsWritten).toBe(buckets);

      // Unchanged members cost no read of their entries and no write, yet read as seen by the
      // newest run.
      expect(await ledger.recordMembers(members, day(2), 'r2')).toBe(130);
      expect(ledger.stats).toMatchObject({ bucketsRead: 0, bucketsWritten: 0 });
      let all = await allEntries(ledger);
      expect(all.size).toBe(130);
      expect(all.get('m0@example.com')).toEqual({
        email: 'm0@example.com',
        googleId: 'g0',
        groups: ['readers@example.com'],
        firstSeenAsMember: day(1),
        lastSeenAsMember: day(2),
        lastSeenRunId: 'r2',
      });

      // m1 changes groups, m2 leaves: their last sighting is the run before they left.
      const third = members.filter((m) => m.email !== 'm2@example.com');
      third[1] = { ...members[1], groups: ['authors@example.com'] } as (typeof members)[number];
      await ledger.recordMembers(third, day(3), 'r3');
      const touched = new Set([ledgerBucketOf('m1@example.com'), ledgerBucketOf('m2@example.com')]);
      expect(ledger.stats).toMatchObject({
        bucketsRead: touched.size,
        bucketsWritten: touched.size,
      });
      await ledger.recordMembers(third, day(4), 'r4');
      all = await allEntries(ledger);
      expect(all.get('m2@example.com')).toMatchObject({
        lastSeenAsMember: day(2),
        lastSeenRunId: 'r2',
        firstSeenAsMember: day(1),
      });
      expect(all.get('m1@example.com')).toMatchObject({
        groups: ['authors@example.com'],
        lastSeenAsMember: day(4),
        firstSeenAsMember: day(1),
      });

      // m2 comes back: a member again, first seen unchanged.
      await ledger.recordMembers(members, day(5), 'r5');
      all = await allEntries(ledger);
      expect(all.get('m2@example.com')).toMatchObject({
        lastSeenAsMember: day(5),
        firstSeenAsMember: day(1),
      });
    } finally {
      await close();
    }
  });

  it('merges the groups of a person listed once per group, and counts them once', async () => {
    const { doc, names, close } = await startTestTables();
    try {
      const ledger = new DynamoLedger(doc, names.ledger);
      async function* rows() {
        yield { email: 'p@example.com', googleId: 'g', groups: ['readers@example.com'] };
        yield { email: 'q@example.com', googleId: 'h', groups: ['readers@example.com'] };
        yield { email: 'p@example.com', googleId: 'g', groups: ['authors@example.com'] };
      }
      expect(await ledger.recordMembers(rows(), day(1), 'r1')).toBe(2);
      expect((await allEntries(ledger)).get('p@example.com')?.groups).toEqual([
        'authors@example.com',
        'readers@example.com',
      ]);
    } finally {
      await close();
    }
  });

  it('two writers racing on the same buckets lose nobody', async () => {
    const { doc, names, close } = await startTestTables();
    try {
      const byBucket = new Map<string, string[]>();
      for (let i = 0; byBucket.size < 1 || [...byBucket.values()].every((v) => v.length < 8); i++) {
        const email = `race${i}@example.com`;
        const list = byBucket.get(ledgerBucketOf(email)) ?? [];
        list.push(email);
        byBucket.set(ledgerBucketOf(email), list);
      }
      const same = [...byBucket.values()].find((v) => v.length >= 8) as string[];
      const sighting = (email: string) => ({ email, googleId: email, groups: ['g@example.com'] });
      const a = new DynamoLedger(doc, names.ledger);
      const b = new DynamoLedger(doc, names.ledger);
      await Promise.all([
        a.recordMembers(same.slice(0, 4).map(sighting), day(1), 'ra'),
        b.recordMembers(same.slice(4, 8).map(sighting), day(1), 'rb'),
      ]);
      expect(a.stats.conflicts + b.stats.conflicts).toBeGreaterThan(0);
      expect([...(await allEntries(a)).keys()].sort()).toEqual(same.slice(0, 8).sort());
    } finally {
      await close();
    }
  });
  it('reads every entry of small buckets in a few large pages', async () => {
    const { doc, names, close } = await startTestTables();
    try {
      const ledger = new DynamoLedger(doc, names.ledger);
      const members = Array.from({ length: 2_000 }, (_, i) => ({
        email: `p${i}@example.com`,
        googleId: `g${i}`,
        groups: ['readers@example.com'],
      }));
      await ledger.recordMembers(members, day(1), 'r1');
      let pages = 0;
      const seen = new Set<string>();
      for await (const page of ledger.entries()) {
        pages++;
        for (const e of page) seen.add(e.email);
      }
      expect(seen.size).toBe(2_000);
      // ~1,000 buckets of 2 entries: 5 per page would be ~200 pages.
      expect(pages).toBeLessThan(40);
    } finally {
      await close();
    }
  });
});
