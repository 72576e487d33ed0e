import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdcUser } from '../../../shared/domain.js';
import { BatchWriter } from '../../../shared/dynamo/batch.js';
import { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import { DynamoLedger } from '../../../shared/dynamo/ledger-store.js';
import { DynamoSnapshotStore, snapshotRows } from '../../../shared/dynamo/snapshot-store.js';
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

describe('BatchWriter', () => {
  it('writes any number of items in batches of 25', async () => {
    const writer = new BatchWriter(t.doc, t.names.snapshots);
    const users = Array.from({ length: 260 }, (_, i) => snapshotRows.idc('bw', user(i)));
    await writer.putAll(users);
    await writer.flush();
    expect(writer.stats.items).toBe(260);
    expect(writer.stats.batches).toBe(11);
    const store = new DynamoSnapshotStore(t.doc, t.names.snapshots);
    let count = 0;
    for await (const page of store.rows('bw', 'idc')) count += page.length;
    expect(count).toBe(260);
  });
});

describe('DynamoIdentityMap', () => {
  it('upserts pages, finds by email, and marks unseen users gone once', async () => {
    const map = new DynamoIdentityMap(t.doc, t.names.identities);
    const users = Array.from({ length: 150 }, (_, i) => user(i));
    await map.upsertSeen(users, '2026-01-01T00:00:00.000Z', 'r1');
    await map.upsertSeen(users.slice(0, 140), '2026-01-02T00:00:00.000Z', 'r2');
    const gone = await map.markUnseenGone('2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z');
    expect(gone.sort()).toEqual(
      users
        .slice(140)
        .map((u) => u.userId)
        .sort(),
    );
    expect(
      await map.markUnseenGone('2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'),
    ).toEqual([]);
    const record = await map.get(users[145]?.userId as string);
    expect(record).toMatchObject({
      email: 'user145@example.com',
      goneAt: '2026-01-02T01:00:00.000Z',
    });
    expect((await map.findByEmail(' USER3@example.com ')).map((r) => r.userId)).toEqual([
      users[3]?.userId,
    ]);
    expect(await map.get('missing')).toBeUndefined();
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

describe('DynamoLedger', () => {
  it('records members and keeps firstSeenAsMember', async () => {
    const ledger = new DynamoLedger(t.doc, t.names.ledger);
    const members = Array.from({ length: 130 }, (_, i) => ({
      email: `m${i}@example.com`,
      googleId: `g${i}`,
      groups: ['readers@example.com'],
    }));
    expect(await ledger.recordMembers(members, '2026-01-01T00:00:00.000Z', 'r1')).toBe(130);
    await ledger.recordMembers(members.slice(0, 10), '2026-01-02T00:00:00.000Z', 'r2');
    const all = [];
    for await (const page of ledger.entries()) all.push(...page);
    expect(all).toHaveLength(130);
    const m0 = all.find((e) => e.email === 'm0@example.com');
    expect(m0).toMatchObject({
      firstSeenAsMember: '2026-01-01T00:00:00.000Z',
      lastSeenRunId: 'r2',
    });
    expect(all.find((e) => e.email === 'm99@example.com')?.lastSeenRunId).toBe('r1');
  });
});

describe('DynamoSnapshotStore', () => {
  it('lists manifests newest first, finds the newest COMPLETE, and expires all but the newest two', async () => {
    const store = new DynamoSnapshotStore(t.doc, t.names.snapshots);
    const runs = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05'];
    const statuses = ['COMPLETE', 'COMPLETE', 'PARTIAL', 'COMPLETE', 'COMPLETE'] as const;
    for (const [i, day] of runs.entries()) {
      const runId = `run-${day}`;
      await store.begin(runId, `${day}T00:00:00.000Z`);
      const writer = store.rowWriter();
      await writer.put(snapshotRows.idc(runId, user(i)));
      await writer.flush();
      await store.finish({
        runId,
        startedAt: `${day}T00:00:00.000Z`,
        finishedAt: `${day}T00:01:00.000Z`,
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
    for await (const page of store.rows('run-2026-02-01', 'idc')) {
      for (const row of page) expect(row.expiresAt).toBe(old?.expiresAt);
    }
  });
});
