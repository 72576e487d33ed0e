import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityKey } from '../../../shared/activity-record.js';
import {
  DynamoActivityStore,
  intersectSpans,
  LEGACY_CURSOR_KEY,
} from '../../../shared/dynamo/activity-store.js';
import { syncLane } from '../../../shared/dynamo/sync-cursors.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 8, 1, h, m)).toISOString();
const store = () => new DynamoActivityStore(t.doc, t.names.activity, () => new Date(at(100)));

describe('DynamoActivityStore', () => {
  it('creates a record on first activity and coalesces views within the hour', async () => {
    const s = store();
    const view = (time: string) =>
      s.recordActivity('default', 'Reader/Alice@Example.com', {
        at: time,
        eventName: 'GetDashboard',
        source: 'live',
      });
    expect(await view(at(10))).toBe('written');
    expect(await view(at(10, 30))).toBe('unchanged');
    expect(await view(at(11))).toBe('unchanged'); // exactly an hour: not more than an hour
    expect(await view(at(11, 1))).toBe('written');
    expect(await view(at(9))).toBe('unchanged'); // older by one hour: not worth a write
    const rec = await s.get(activityKey('default', 'reader/alice@example.com'));
    expect(rec?.last).toEqual({ at: at(11, 1), eventName: 'GetDashboard', source: 'live' });
    expect(rec?.first?.at).toBe(at(10));
    expect(rec?.version).toBe(2);
    expect(s.stats).toMatchObject({ written: 2, unchanged: 3 });
  });

  it('keeps creation evidence apart from activity', async () => {
    const s = store();
    expect(
      await s.recordCreation('default', 'bob@example.com', {
        at: at(5),
        eventName: 'RegisterUser',
      }),
    ).toBe('written');
    expect(
      await s.recordCreation('default', 'BOB@example.com', {
        at: at(5),
        eventName: 'RegisterUser',
      }),
    ).toBe('unchanged');
    const rec = await s.get(activityKey('default', 'bob@example.com'));
    expect(rec?.created).toEqual({ at: at(5), eventName: 'RegisterUser' });
    expect(rec?.last).toBeUndefined();
  });

  it('merges many users in one call and extends earliest activity and spans', async () => {
    const s = store();
    const out = await s.recordMany([
      {
        namespace: 'default',
        userName: 'carol@example.com',
        newest: { at: at(20), eventName: 'GetDashboard', source: 'cloudtrail' },
        oldest: { at: at(12), eventName: 'ListDashboards', source: 'cloudtrail' },
        spans: { cloudtrail: { from: at(12), to: at(20) } },
      },
      {
        namespace: 'other',
        userName: 'carol@example.com',
        newest: { at: at(3), eventName: 'GetDashboard', source: 'cloudtrail' },
      },
    ]);
    expect(out).toEqual(['written', 'written']);
    expect(
      await s.record({
        namespace: 'default',
        userName: 'carol@example.com',
        oldest: { at: at(2), eventName: 'GetDashboard', source: 'cloudtrail' },
        spans: { cloudtrail: { from: at(2), to: at(2) } },
      }),
    ).toBe('written');
    const rec = await s.get(activityKey('default', 'carol@example.com'));
    expect(rec?.first?.at).toBe(at(2));
    expect(rec?.last?.at).toBe(at(20));
    expect(rec?.spans.cloudtrail).toEqual({ from: at(2), to: at(20) });
    expect((await s.get(activityKey('other', 'carol@example.com')))?.last?.at).toBe(at(3));
    await expect(
      s.recordMany([
        { namespace: 'default', userName: 'x@example.com' },
        { namespace: 'default', userName: 'X@example.com' },
      ]),
    ).rejects.toThrow(/one delta per user/);
  });

  it('two writers racing on one record both land (version condition)', async () => {
    const a = store();
    const b = store();
    const name = 'dave@example.com';
    await Promise.all([
      a.recordActivity('default', name, { at: at(1), eventName: 'A', source: 'live' }),
      b.recordActivity('default', name, { at: at(30), eventName: 'B', source: 'cloudtrail' }),
    ]);
    const rec = await a.get(activityKey('default', name));
    expect(rec?.first?.eventName).toBe('A');
    expect(rec?.last?.eventName).toBe('B');
  });

  it('lists every record through all() and never the cursor', async () => {
    const s = store();
    const cursor = s.cursorOf('us-east-1');
    const c0 = await cursor.getCursor();
    expect(c0.version).toBe(0);
    const c1 = await cursor.putCursor(c0, {
      window: { from: at(0), to: at(50), kind: 'backfill', pages: 0, events: 0 },
    });
    expect(c1?.version).toBe(1);
    const keys: string[] = [];
    for await (const page of s.all()) keys.push(...page.map((r) => r.userKey));
    expect(keys.sort()).toEqual(
      [
        'default#bob@example.com',
        'default#carol@example.com',
        'default#dave@example.com',
        'default#reader/alice@example.com',
        'other#carol@example.com',
      ].sort(),
    );
    expect(await s.get('#cursor#cloudtrail#us-east-1')).toBeUndefined();
  });

  it('moves the cursor only from the version it read, and reports coverage', async () => {
    const s = store();
    const cursor = s.cursorOf('us-east-1');
    const c = await cursor.getCursor();
    await s.putSyncRegions(['us-east-1']);
    expect(await s.coverage()).toEqual({});
    const moved = await cursor.putCursor(c, { covered: { from: at(0), to: at(50) } });
    expect(moved).toBeDefined();
    expect(await cursor.putCursor(c, { covered: { from: at(0), to: at(60) } })).toBeUndefined();
    expect(await s.coverage()).toEqual({ cloudtrail: { from: at(0), to: at(50) } });
    const back = await cursor.getCursor();
    expect(back.window).toBeUndefined();
    expect(back.version).toBe(moved?.version);
  });

  it('keeps pending on-behalf-of evidence per IdC user, merges it, and deletes it only unchanged', async () => {
    const s = store();
    const mark = (h: number) => ({
      at: at(h),
      eventName: 'GetDashboard',
      source: 'cloudtrail' as const,
    });
    await s.addPending([{ idcUserId: 'u-pend-1', newest: mark(10), events: 1 }]);
    await s.addPending([
      { idcUserId: 'u-pend-1', newest: mark(12), oldest: mark(8), events: 2 },
      { idcUserId: 'u-pend-2', created: { at: at(3), eventName: 'CreateUser' }, events: 1 },
    ]);
    const items = (await s.pendingEvents()).sort((a, b) => a.idcUserId.localeCompare(b.idcUserId));
    expect(items.map((i) => i.idcUserId)).toEqual(['u-pend-1', 'u-pend-2']);
    expect(items[0]).toMatchObject({ newest: mark(12), oldest: mark(8), events: 3, version: 2 });
    // Control items: never a user's record.
    for await (const page of s.all())
      expect(page.some((r) => r.userKey.startsWith('#'))).toBe(false);
    expect(await s.get('#pending#u-pend-1')).toBeUndefined();
    // Evidence added after the read keeps the item.
    const read = items[0] as NonNullable<(typeof items)[0]>;
    await s.addPending([{ idcUserId: 'u-pend-1', newest: mark(13), events: 1 }]);
    expect(await s.deletePending(read)).toBe(false);
    const again = (await s.pendingEvents()).find((i) => i.idcUserId === 'u-pend-1');
    expect(again?.events).toBe(4);
    expect(await s.deletePending(again as NonNullable<typeof again>)).toBe(true);
    expect((await s.pendingEvents()).map((i) => i.idcUserId)).toEqual(['u-pend-2']);
    await expect(s.addPending([{ idcUserId: '#cursor', events: 1 }])).rejects.toThrow(
      /not an IdC user id/,
    );
  });

  it('recordMany with exact writes a newest time that moved by less than an hour', async () => {
    const s = store();
    const view = (h: number, m: number) => ({
      namespace: 'default',
      userName: 'exact@example.com',
      newest: { at: at(h, m), eventName: 'GetDashboard', source: 'cloudtrail' as const },
    });
    expect(await s.recordMany([view(10, 0)])).toEqual(['written']);
    expect(await s.recordMany([view(10, 20)])).toEqual(['unchanged']);
    expect(await s.recordMany([view(10, 20)], { exact: true })).toEqual(['written']);
    expect((await s.get(activityKey('default', 'exact@example.com')))?.last?.at).toBe(at(10, 20));
  });

  it('covers the account only where every configured region is covered', async () => {
    const s = store();
    const west = s.cursorOf('eu-west-1');
    await west.putCursor(await west.getCursor(), { covered: { from: at(10), to: at(70) } });
    // us-east-1 covers [0, 50) (test above): the intersection is [10, 50).
    await s.putSyncRegions(['us-east-1', 'eu-west-1']);
    expect(await s.coverage()).toEqual({ cloudtrail: { from: at(10), to: at(50) } });
    // A region never synced covers nothing, so the account neither.
    expect(await s.coverage(['us-east-1', 'eu-west-1', 'ap-south-1'])).toEqual({});
    await s.putSyncRegions(['us-east-1', 'eu-west-1', 'ap-south-1']);
    expect(await s.coverage()).toEqual({});
    // Explicit regions win over the recorded ones.
    expect(await s.coverage(['eu-west-1'])).toEqual({ cloudtrail: { from: at(10), to: at(70) } });
  });

  it('starts the legacy region from the single cursor of earlier versions, and leaves it', async () => {
    const s = store();
    await t.doc.send(
      new PutCommand({
        TableName: t.names.activity,
        Item: {
          userKey: LEGACY_CURSOR_KEY,
          covered: { from: at(1), to: at(40) },
          updatedAt: at(2),
          version: 7,
        },
      }),
    );
    const adopted = s.cursorOf('sa-east-1', { adoptLegacy: true });
    const start = await adopted.getCursor();
    expect(start).toMatchObject({ covered: { from: at(1), to: at(40) }, version: 0 });
    expect((await s.cursorOf('sa-east-1').getCursor()).covered).toBeUndefined();
    const moved = await adopted.putCursor(start, { covered: { from: at(1), to: at(45) } });
    expect(moved?.version).toBe(1);
    expect((await adopted.getCursor()).covered).toEqual({ from: at(1), to: at(45) });
    // A second writer that also started from the legacy cursor loses (the item exists now).
    expect(
      await adopted.putCursor(start, { covered: { from: at(1), to: at(46) } }),
    ).toBeUndefined();
  });

  it("covers each QuickSight account by its own histories: one account's gap leaves the other covered", async () => {
    const s = store();
    const B = '222222222222';
    const home = s.cursorOf('ca-central-1');
    await home.putCursor(await home.getCursor(), { covered: { from: at(5), to: at(60) } });
    const b = s.cursorOf(syncLane('ca-central-1', B));
    await s.putSyncRegions([
      'ca-central-1',
      syncLane('ca-central-1', B),
      syncLane('me-south-1', B),
    ]);
    // B's me-south-1 history was never read: B is not covered, the home account is.
    expect(await s.coverageOfAccount(undefined)).toEqual({
      cloudtrail: { from: at(5), to: at(60) },
    });
    expect(await s.coverageOfAccount(B)).toEqual({});
    expect(await s.coverage()).toEqual({});
    await b.putCursor(await b.getCursor(), { covered: { from: at(20), to: at(80) } });
    const bSouth = s.cursorOf(syncLane('me-south-1', B));
    await bSouth.putCursor(await bSouth.getCursor(), { covered: { from: at(10), to: at(70) } });
    expect(await s.coverageOfAccount(B)).toEqual({ cloudtrail: { from: at(20), to: at(70) } });
    // An account the last sync did not read at all covers nothing.
    expect(await s.coverageOfAccount('333333333333')).toEqual({});
  });
});

describe('intersectSpans', () => {
  const span = (from: number, to: number) => ({ from: at(from), to: at(to) });
  it('is the latest start to the earliest end, nothing when one is missing or they do not overlap', () => {
    expect(intersectSpans([span(0, 10)])).toEqual(span(0, 10));
    expect(intersectSpans([span(0, 10), span(5, 20)])).toEqual(span(5, 10));
    expect(intersectSpans([span(5, 20), span(0, 10)])).toEqual(span(5, 10));
    expect(intersectSpans([span(0, 10), undefined])).toBeUndefined();
    expect(intersectSpans([])).toBeUndefined();
    expect(intersectSpans([span(0, 10), span(10, 20)])).toBeUndefined();
  });
});
