import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdcUser } from '../../../shared/domain.js';
import { BatchWriter, queryPages } from '../../../shared/dynamo/batch.js';
import { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import {
  DynamoSnapshotStore,
  decodeRows,
  googleRow,
  packRows,
} from '../../../shared/dynamo/snapshot-store.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

const user = (i: number, email = `user${i}@example.com`): IdcUser => ({
  userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  userName: email,
  emails: [{ value: email, primary: true }],
  externalIds: [],
});

/** Every item of the snapshots table under partition key `pk`. */
async function snapshotItems(pk: string) {
  const items = [];
  for await (const page of queryPages(t.doc, {
    TableName: t.names.snapshots,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
  }))
    items.push(...page);
  return items;
}

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 0, d, h)).toISOString();

describe('BatchWriter', () => {
  it('writes any number of items in batches of 25', async () => {
    const writer = new BatchWriter(t.doc, t.names.snapshots);
    const items = Array.from({ length: 260 }, (_, i) => ({ pk: 'bw', sk: String(i), n: i }));
    await writer.putAll(items);
    await writer.flush();
    expect(writer.stats.items).toBe(260);
    expect(writer.stats.batches).toBe(11);
    const stored = await snapshotItems('bw');
    expect(stored.map((s) => s.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      items.map((i) => i.n),
    );
  });

  it('with a key, replaces a buffered put of the same key (a batch must not hold a key twice)', async () => {
    const writer = new BatchWriter(t.doc, t.names.snapshots, {
      keyOf: (item) => `${item.pk}|${item.sk}`,
    });
    for (const n of [1, 2, 3]) await writer.put({ pk: 'dup', sk: 'same', n });
    await writer.put({ pk: 'dup', sk: 'other', n: 4 });
    await writer.flush();
    expect(writer.stats.items).toBe(2);
    const stored = await snapshotItems('dup');
    expect(stored.map((s) => [s.sk, s.n]).sort()).toEqual([
      ['other', 4],
      ['same', 3],
    ]);
  });
});

describe('packRows', () => {
  it('keeps every row in order and fits each chunk under the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ email: fc.emailAddress(), note: fc.string({ maxLength: 300 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 600, max: 5_000 }),
        (rows, maxBytes) => {
          const chunks = packRows(rows, maxBytes);
          for (const c of chunks) expect(c.data.byteLength).toBeLessThanOrEqual(maxBytes);
          expect(chunks.flatMap((c) => decodeRows(c.data))).toEqual(rows);
          expect(chunks.reduce((n, c) => n + c.count, 0)).toBe(rows.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('DynamoIdentityMap', () => {
  it('writes only new or changed users, and marks the unseen gone by set difference', async () => {
    const map = new DynamoIdentityMap(t.doc, t.names.identities);
    const users = Array.from({ length: 150 }, (_, i) => user(i));
    const first = map.startListing('r1', day(1));
    await first.recordPage(users.slice(0, 100), day(1));
    await first.recordPage(users.slice(100), day(1));
    expect(await first.markUnseenGone(day(1, 1))).toEqual([]);
    expect(first.stats).toMatchObject({ indexed: 0, new: 150, written: 150 });

    // An event creates a user after the next listing started: it is never marked gone by it.
    const second = map.startListing('r2', day(1, 6));
    await map.upsertOne(user(500), day(1, 7));
    const renamed = user(7, 'user7.renamed@example.com');
    await second.recordPage([...users.slice(0, 7), renamed, ...users.slice(8, 140)], day(1, 6));
    const gone = await second.markUnseenGone(day(1, 8));
    expect(gone.sort()).toEqual(users.slice(140).map((u) => u.userId));
    expect(second.stats).toMatchObject({ indexed: 150, new: 0, changed: 1, written: 1 });
    expect(second.stats.reread).toBe(1);
    expect(await map.get(user(500).userId)).not.toHaveProperty('goneAt');

    const record = await map.get(users[145]?.userId as string);
    expect(record).toMatchObject({ email: 'user145@example.com', goneAt: day(1, 8) });
    const moved = await map.get(renamed.userId);
    expect(moved).toMatchObject({ email: 'user7.renamed@example.com', firstSeen: day(1) });
    expect(moved?.history).toEqual([
      { until: day(1, 6), userName: 'user7@example.com', emails: ['user7@example.com'] },
    ]);
    expect((await map.findByEmail(' USER3@example.com ')).map((r) => r.userId)).toEqual([
      users[3]?.userId,
    ]);
    expect(await map.get('missing')).toBeUndefined();

    // Nobody is marked twice; the event's user, missing from a listing that started after it,
    // is gone now (last seen by the event); a user seen again is alive again; unchanged users
    // cost no write, yet read as seen by the newest listing.
    const third = map.startListing('r3', day(4));
    await third.recordPage([...users.slice(0, 7), renamed, ...users.slice(8, 141)], day(4, 1));
    expect(await third.markUnseenGone(day(4, 2))).toEqual([user(500).userId]);
    expect(third.stats).toMatchObject({ revived: 1, changed: 0, new: 0, written: 1 });
    const back = await map.get(users[140]?.userId as string);
    expect(back?.goneAt).toBeUndefined();
    expect(back?.lastSeen).toBe(day(4, 1));
    expect(await map.get(users[0]?.userId as string)).toMatchObject({
      firstSeen: day(1),
      lastSeen: day(4),
      lastSeenRunId: 'r3',
    });
    expect(await map.get(user(500).userId)).toMatchObject({
      lastSeen: day(1, 7),
      goneAt: day(4, 2),
    });
    // Gone in the second listing: last seen by the listing before it, not by its last write.
    expect((await map.get(users[145]?.userId as string))?.lastSeen).toBe(day(1));
    expect(await map.get('#LISTING')).toBeUndefined();
    expect(await map.markGone('#LISTING', day(5))).toBe(false);
  });

  it('sets goneAt from a DeleteUser event once', async () => {
    const map = new DynamoIdentityMap(t.doc, t.names.identities);
    const u = user(900);
    await map.upsertOne(u, '2026-03-01T00:00:00.000Z');
    expect(await map.markGone(u.userId, '2026-03-02T00:00:00.000Z')).toBe(true);
    expect(await map.markGone(u.userId, '2026-03-03T00:00:00.000Z')).toBe(false);
    expect(await map.markGone('unknown', '2026-03-03T00:00:00.000Z')).toBe(false);
    expect((await map.get(u.userId))?.goneAt).toBe('2026-03-02T00:00:00.000Z');
  });
});

describe('DynamoSnapshotStore', () => {
  it('stores rows one item per page and reads them back page by page', async () => {
    const store = new DynamoSnapshotStore(t.doc, t.names.snapshots);
    await store.begin('run-pages', day(10));
    const writer = store.pageWriter('run-pages');
    const members = Array.from({ length: 450 }, (_, i) => ({
      id: `g${i}`,
      email: ` Member${i}@Example.com`,
      type: 'USER',
    }));
    for (let i = 0; i < members.length; i += 200)
      await writer.writePage(
        'google',
        members.slice(i, i + 200).map((m) => googleRow('Readers@example.com', m)),
      );
    await writer.writePage('quicksight', [
      { userName: 'N/A', role: 'READER', identityType: 'IAM_IDENTITY_CENTER', arn: 'arn:x' },
    ]);
    await writer.flush();
    expect(writer.itemsWritten).toBe(4);
    const pages = [];
    for await (const page of store.googleRows('run-pages')) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([200, 200, 50]);
    expect(pages.flat()[449]).toEqual({
      group: 'readers@example.com',
      email: 'member449@example.com',
      rawEmail: ' Member449@Example.com',
      googleId: 'g449',
      type: 'USER',
    });
    const qs = [];
    for await (const page of store.quickSightUsers('run-pages')) qs.push(...page);
    expect(qs).toEqual([
      { userName: 'N/A', role: 'READER', identityType: 'IAM_IDENTITY_CENTER', arn: 'arn:x' },
    ]);
  });

  it('lists manifests newest first, finds the newest COMPLETE, and expires all but the newest two', async () => {
    const store = new DynamoSnapshotStore(t.doc, t.names.snapshots);
    const runs = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05'];
    const statuses = ['COMPLETE', 'COMPLETE', 'PARTIAL', 'COMPLETE', 'COMPLETE'] as const;
    for (const [i, d] of runs.entries()) {
      const runId = `run-${d}`;
      await store.begin(runId, `${d}T00:00:00.000Z`);
      const writer = store.pageWriter(runId);
      await writer.writePage('idc', [user(i)]);
      await writer.flush();
      await store.finish({
        runId,
        startedAt: `${d}T00:00:00.000Z`,
        finishedAt: `${d}T00:01:00.000Z`,
        status: statuses[i] as 'COMPLETE' | 'PARTIAL',
        sources: { idc: { count: 1, pages: 1 } },
      });
    }
    await expect(store.begin('run-2026-02-01', '2026-02-01T00:00:00.000Z')).rejects.toThrow();
    const [latest] = await store.latestComplete();
    expect(latest?.runId).toBe('run-2026-02-05');
    const expired = await store.expireOld(30);
    expect(expired.sort()).toEqual(['run-2026-02-01', 'run-2026-02-02', 'run-2026-02-03']);
    expect(await store.expireOld(30)).toEqual([]);
    const kept = await store.manifest('run-2026-02-04');
    expect(kept?.expiresAt).toBeUndefined();
    const old = await store.manifest('run-2026-02-01');
    expect(old?.expiresAt).toBe(Date.parse('2026-02-01T00:00:00.000Z') / 1000 + 30 * 86_400);
    const items = await snapshotItems('RUN#run-2026-02-01#IDC');
    expect(items).toHaveLength(1);
    for (const item of items) expect(item.expiresAt).toBe(old?.expiresAt);
    const rows = [];
    for await (const page of store.rows('run-2026-02-01', 'idc')) rows.push(...page);
    expect(rows).toEqual([user(0)]);
  });
});
