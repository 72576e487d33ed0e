import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoGuardWindow,
  decodeSlots,
  encodeSlots,
  GUARD_ITEM_KEY,
  slotKey,
} from '../../../shared/dynamo/guard-table-store.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

const HOUR = 3_600_000;

/** The document client with its conditional puts counted (the real client underneath). */
function countingPuts() {
  const counted = { puts: 0 };
  const doc = new Proxy(t.doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: unknown) => {
        if (command instanceof PutCommand) counted.puts++;
        return target.send(command as never);
      };
    },
  });
  return { doc, counted };
}

describe('DynamoGuardWindow within one process', () => {
  it('reads an item written with the slots as a map (before) and rewrites it as one string', async () => {
    const now = Date.now();
    const old = { [slotKey('default#old-1')]: now - 1000, [slotKey('default#old-2')]: now - 2000 };
    await t.doc.send(
      new PutCommand({
        TableName: t.names.guard,
        Item: { pk: GUARD_ITEM_KEY, version: 7, slots: old },
      }),
    );
    const window = new DynamoGuardWindow(t.doc, t.names.guard, HOUR);
    expect((await window.usage(now)).used).toBe(2);
    expect(await window.reserve('default#old-1', 10, now)).toBe('held');
    expect(await window.reserve('default#new-1', 3, now)).toBe('reserved');
    expect(await window.reserve('default#new-2', 3, now)).toBe('refused');
    const stored = await t.doc.send(
      new GetCommand({ TableName: t.names.guard, Key: { pk: GUARD_ITEM_KEY } }),
    );
    expect(stored.Item?.version).toBe(8);
    expect(typeof stored.Item?.slots).toBe('string');
    expect(decodeSlots(stored.Item?.slots)).toEqual({ ...old, [slotKey('default#new-1')]: now });
  });

  it('encodes and decodes slots losslessly', () => {
    const slots = { [slotKey('a')]: 1_764_000_000_123, [slotKey('b')]: 1 };
    expect(decodeSlots(encodeSlots(slots))).toEqual(slots);
    expect(decodeSlots(undefined)).toEqual({});
    expect(decodeSlots('')).toEqual({});
    // Only slots newer than the given time, from either form.
    expect(decodeSlots(encodeSlots(slots), 1)).toEqual({ [slotKey('a')]: 1_764_000_000_123 });
    expect(decodeSlots(slots, 1)).toEqual({ [slotKey('a')]: 1_764_000_000_123 });
  });

  it('many reservations in flight at once are decided in groups: exactly the budget is taken, nobody loses a race', async () => {
    const { doc, counted } = countingPuts();
    const window = new DynamoGuardWindow(doc, t.names.guard, HOUR);
    const now = Date.now();
    const used = (await window.usage(now)).used;
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => window.reserve(`default#burst-${i}`, used + 250, now)),
    );
    expect(answers.filter((a) => a === 'reserved')).toHaveLength(250);
    expect(answers.filter((a) => a === 'refused')).toHaveLength(50);
    // Call order decides: the first 250 callers got the slots.
    expect(answers.slice(0, 250).every((a) => a === 'reserved')).toBe(true);
    expect((await window.usage(now)).used).toBe(used + 250);
    // One read-modify-write per group, not one (or more) per reservation.
    expect(counted.puts).toBeLessThan(10);
  });

  it('a task already holding a slot is held, in the same group as new ones, and takes no second slot', async () => {
    const window = new DynamoGuardWindow(t.doc, t.names.guard, HOUR);
    const now = Date.now();
    expect(await window.reserve('default#again', 1_000_000, now)).toBe('reserved');
    const used = (await window.usage(now)).used;
    const answers = await Promise.all([
      window.reserve('default#again', used, now),
      window.reserve('default#again', used + 1, now),
      window.reserve('default#new-one', used + 1, now),
      window.reserve('default#new-two', used + 1, now),
    ]);
    expect(answers).toEqual(['held', 'held', 'reserved', 'refused']);
    expect((await window.usage(now)).used).toBe(used + 1);
  });

  it('slots older than the window are dropped when a group is written', async () => {
    const window = new DynamoGuardWindow(t.doc, t.names.guard, HOUR);
    const later = Date.now() + 2 * HOUR;
    expect((await window.usage(later)).used).toBe(0);
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((k) => window.reserve(`default#later-${k}`, 2, later)),
    );
    expect(answers).toEqual(['reserved', 'reserved', 'refused']);
    expect((await window.usage(later)).used).toBe(2);
  });
});
