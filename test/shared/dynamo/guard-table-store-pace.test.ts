import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoPaceStore,
  GUARD_ITEM_KEY,
  paceKey,
} from '../../../shared/dynamo/guard-table-store.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

const ACCOUNT = '111111111111';
const OTHER = '222222222222';

describe('DynamoPaceStore (guard table)', () => {
  it('remembers a pace per account and reads it back; none stored is undefined', async () => {
    const store = new DynamoPaceStore(t.doc, t.names.guard);
    expect(await store.recall(ACCOUNT)).toBeUndefined();
    expect(await store.remember(ACCOUNT, { estimate: 39.6, measuredAt: 1_000 })).toBe(true);
    expect(await store.recall(ACCOUNT)).toEqual({ estimate: 39.6, measuredAt: 1_000 });
    expect(await store.recall(OTHER)).toBeUndefined();
    const item = await t.doc.send(
      new GetCommand({ TableName: t.names.guard, Key: { pk: paceKey(ACCOUNT) } }),
    );
    expect(item.Item).toEqual({ pk: `pace#${ACCOUNT}`, estimate: 39.6, measuredAt: 1_000 });
  });

  it('an older measurement never overwrites a newer one; an equal one neither; a newer one does', async () => {
    const store = new DynamoPaceStore(t.doc, t.names.guard);
    const account = '333333333333';
    expect(await store.remember(account, { estimate: 50, measuredAt: 2_000 })).toBe(true);
    // A second worker that measured earlier ends later: its write is refused.
    expect(await store.remember(account, { estimate: 20, measuredAt: 1_999 })).toBe(false);
    expect(await store.remember(account, { estimate: 20, measuredAt: 2_000 })).toBe(false);
    expect(await store.recall(account)).toEqual({ estimate: 50, measuredAt: 2_000 });
    expect(await store.remember(account, { estimate: 45, measuredAt: 2_001 })).toBe(true);
    expect(await store.recall(account)).toEqual({ estimate: 45, measuredAt: 2_001 });
  });

  it('two workers writing at once: the newer measurement stays, whichever lands last', async () => {
    const store = new DynamoPaceStore(t.doc, t.names.guard);
    for (const [i, order] of [
      [0, [1, 2]],
      [1, [2, 1]],
    ] as const) {
      const account = `44444444444${i}`;
      const writes = order.map((k) => store.remember(account, { estimate: k * 10, measuredAt: k }));
      await Promise.all(writes);
      expect(await store.recall(account)).toEqual({ estimate: 20, measuredAt: 2 });
    }
  });

  it('leaves the deletion budget alone, and reads an unusable item as none', async () => {
    const store = new DynamoPaceStore(t.doc, t.names.guard);
    await t.doc.send(
      new PutCommand({
        TableName: t.names.guard,
        Item: { pk: GUARD_ITEM_KEY, version: 3, slots: 'abc:1' },
      }),
    );
    await store.remember('555555555555', { estimate: 12, measuredAt: 5 });
    const budget = await t.doc.send(
      new GetCommand({ TableName: t.names.guard, Key: { pk: GUARD_ITEM_KEY } }),
    );
    expect(budget.Item).toEqual({ pk: GUARD_ITEM_KEY, version: 3, slots: 'abc:1' });
    await t.doc.send(
      new PutCommand({
        TableName: t.names.guard,
        Item: { pk: paceKey('666666666666'), estimate: 'fast', measuredAt: 5 },
      }),
    );
    expect(await store.recall('666666666666')).toBeUndefined();
  });
});
