import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstListings } from '../../../../services/removals/idle/first-listed.js';

const snap = (startedAt: string, keys: string[]) => ({ startedAt, userKeys: new Set(keys) });

describe('firstListings', () => {
  it('dates a user first listed after a snapshot that did not list it', () => {
    const out = firstListings([
      snap('2026-11-20T00:00:00.000Z', ['d#a', 'd#b', 'd#c']),
      snap('2026-10-01T00:00:00.000Z', ['d#a']),
      snap('2026-11-01T00:00:00.000Z', ['d#a', 'd#b']),
    ]);
    expect(Object.fromEntries(out)).toEqual({
      'd#b': '2026-11-01T00:00:00.000Z',
      'd#c': '2026-11-20T00:00:00.000Z',
    });
  });

  it('takes the newest re-appearance of a user deleted and created again', () => {
    const out = firstListings([
      snap('2026-10-01T00:00:00.000Z', ['d#a']),
      snap('2026-10-02T00:00:00.000Z', ['d#a', 'd#x']),
      snap('2026-10-03T00:00:00.000Z', ['d#a']),
      snap('2026-10-04T00:00:00.000Z', ['d#a', 'd#x']),
    ]);
    expect(out.get('d#x')).toBe('2026-10-04T00:00:00.000Z');
    expect(out.has('d#a')).toBe(false);
  });

  it('knows nothing from a single snapshot, whatever it lists', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 20 }), (keys) => {
        expect(firstListings([snap('2026-10-01T00:00:00.000Z', keys)]).size).toBe(0);
      }),
    );
  });
});
