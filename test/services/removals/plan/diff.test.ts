import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../../services/removals/plan/diff.js';
import { emailArb } from './builders.js';

describe('diffSnapshots', () => {
  it('lists joiners and leavers, normalised and sorted', () => {
    const older = ['Bob@Example.com', 'alice@example.com', ' carol@example.com'];
    const newer = [
      'ＡＬＩＣＥ＠example.com',
      'dave@example.com',
      'bob@example.com',
      'erin@example.com',
    ];
    expect(diffSnapshots(older, newer)).toEqual({
      joined: ['dave@example.com', 'erin@example.com'],
      left: ['carol@example.com'],
    });
  });

  it('is empty for equal snapshots and everything for an empty one', () => {
    expect(diffSnapshots(['a@x.io'], ['A@X.IO'])).toEqual({ joined: [], left: [] });
    expect(diffSnapshots([], ['b@x.io', 'a@x.io'])).toEqual({
      joined: ['a@x.io', 'b@x.io'],
      left: [],
    });
    expect(diffSnapshots(['a@x.io', ''], [])).toEqual({ joined: [], left: ['a@x.io'] });
  });

  it('is set difference, each way', () => {
    fc.assert(
      fc.property(
        fc.array(emailArb, { maxLength: 30 }),
        fc.array(emailArb, { maxLength: 30 }),
        (older, newer) => {
          const before = new Set(older);
          const after = new Set(newer);
          const { joined, left } = diffSnapshots(older, newer);
          expect(new Set(joined)).toEqual(new Set([...after].filter((e) => !before.has(e))));
          expect(new Set(left)).toEqual(new Set([...before].filter((e) => !after.has(e))));
          expect(joined).toHaveLength(new Set(joined).size);
          expect(left).toHaveLength(new Set(left).size);
        },
      ),
    );
  });

  it('does not depend on input order or duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(emailArb, { maxLength: 30 }),
        fc.array(emailArb, { maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (older, newer, seeds) => {
          const shuffle = (xs: string[]) =>
            xs
              .flatMap((x) => (seeds.next().value % 3 === 0 ? [x, x] : [x]))
              .map((x) => [seeds.next().value, x] as const)
              .sort((a, b) => a[0] - b[0])
              .map(([, x]) => x);
          expect(diffSnapshots(shuffle(older), shuffle(newer))).toEqual(
            diffSnapshots(older, newer),
          );
        },
      ),
    );
  });
});
