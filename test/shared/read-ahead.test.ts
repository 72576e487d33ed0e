import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../shared/read-ahead.js';

/** A source that yields `items`, fails after `failAfter` of them when given, and records its reads. */
function source(items: number[], failAfter?: number) {
  const log = { produced: 0, maxAhead: 0, consumed: 0, closed: false };
  async function* gen() {
    try {
      for (const [i, item] of items.entries()) {
        if (i === failAfter) throw new Error(`failed after ${i}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.produced++;
        log.maxAhead = Math.max(log.maxAhead, log.produced - log.consumed);
        yield item;
      }
      if (failAfter !== undefined && failAfter >= items.length) throw new Error('failed at end');
    } finally {
      log.closed = true;
    }
  }
  return { pages: gen(), log };
}

describe('readAhead', () => {
  it('yields exactly the source, in order, never more than depth (+1 in hand) ahead', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        async (items, depth) => {
          const { pages, log } = source(items);
          const out: number[] = [];
          for await (const item of readAhead(pages, depth)) {
            log.consumed++;
            out.push(item);
            await new Promise((resolve) => setImmediate(resolve));
          }
          expect(out).toEqual(items);
          expect(log.maxAhead).toBeLessThanOrEqual(depth + 1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('throws the source failure after the items read before it', async () => {
    const { pages } = source([1, 2, 3, 4], 2);
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(pages, 3)) out.push(item);
      })(),
    ).rejects.toThrow('failed after 2');
    expect(out).toEqual([1, 2]);
  });

  it('stops reading the source when the consumer stops early', async () => {
    const { pages, log } = source(Array.from({ length: 100 }, (_, i) => i));
    for await (const item of readAhead(pages, 2)) if (item === 3) break;
    expect(log.closed).toBe(true);
    expect(log.produced).toBeLessThan(10);
  });
});
