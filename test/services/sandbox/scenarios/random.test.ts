import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mulberry32,
  pick,
  randomHex,
  randomInt,
  randomUuid,
  sample,
  shuffle,
} from '../../../../services/sandbox/scenarios/random.js';

const draw = (seed: number, n: number) => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => random());
};

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        expect(draw(a, 20)).toEqual(draw(a, 20));
        if (a >>> 0 !== b >>> 0) expect(draw(a, 20)).not.toEqual(draw(b, 20));
      }),
    );
  });

  it('stays in [0, 1) and spreads over it', () => {
    const values = draw(123, 10_000);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
    const buckets = new Array(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(800);
  });
});

describe('helpers', () => {
  it('randomInt stays below its bound', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, max) => {
        const random = mulberry32(seed);
        for (let i = 0; i < 50; i++) {
          const n = randomInt(random, max);
          expect(Number.isInteger(n) && n >= 0 && n < max).toBe(true);
        }
      }),
    );
  });

  it('shuffle is a permutation and sample draws distinct items', () => {
    fc.assert(
      fc.property(fc.integer(), fc.uniqueArray(fc.integer(), { maxLength: 60 }), (seed, items) => {
        const random = mulberry32(seed);
        expect([...shuffle(random, items)].sort()).toEqual([...items].sort());
        const count = randomInt(random, items.length + 1);
        const drawn = sample(random, items, count);
        expect(drawn).toHaveLength(count);
        expect(new Set(drawn).size).toBe(count);
        for (const d of drawn) expect(items).toContain(d);
      }),
    );
  });

  it('refuses impossible draws', () => {
    const random = mulberry32(1);
    expect(() => sample(random, [1, 2], 3)).toThrow(RangeError);
    expect(() => pick(random, [])).toThrow(RangeError);
  });

  it('makes hex strings and version-4 UUIDs', () => {
    const random = mulberry32(9);
    expect(randomHex(random, 16)).toMatch(/^[0-9a-f]{16}$/);
    const uuids = Array.from({ length: 200 }, () => randomUuid(random));
    for (const u of uuids)
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});
