import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePageToken,
  encodePageToken,
  FIRST_PAGE,
  ListingCache,
  type Page,
  type PageCursor,
  selectPage,
} from '../../../../services/sandbox/http/paging.js';

const identity = (s: string) => s;
type Pager = (items: Set<string>, limit: number, cursor: PageCursor) => Page<string>;

/** A fresh pager per listing run: the live scan, a ListingCache, and one that evicts at once. */
const pagers: Record<string, () => Pager> = {
  selectPage: () => (items, limit, cursor) => selectPage(items, identity, limit, cursor),
  ListingCache: () => cachedPager(16),
  'ListingCache, evicted': () => cachedPager(0),
};

function cachedPager(maxListings: number): Pager {
  let source = new Set<string>();
  const cache = new ListingCache(
    { list: () => source, lookup: (key) => (source.has(key) ? key : undefined) },
    identity,
    maxListings,
  );
  return (items, limit, cursor) => {
    source = items;
    return cache.page(limit, cursor);
  };
}

/** Pages through `items`, letting `between` change them before each later page. */
function pageAll(
  pager: Pager,
  items: Set<string>,
  limit: number,
  between: (pageNumber: number) => void = () => {},
): { seen: string[]; pages: number[] } {
  const seen: string[] = [];
  const pages: number[] = [];
  let cursor: PageCursor | undefined = FIRST_PAGE;
  while (cursor) {
    if (cursor.page > 1) between(cursor.page);
    const page: Page<string> = pager(items, limit, cursor);
    pages.push(cursor.page);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    for (const item of page.items) expect(items.has(item)).toBe(true);
    seen.push(...page.items);
    cursor = page.next && decodePageToken(encodePageToken(page.next));
  }
  return { seen, pages };
}

describe.each(Object.entries(pagers))('sandbox paging with %s', (_, makePager) => {
  it('returns every key exactly once, in order, in pages of at most `limit`', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string()), fc.integer({ min: 1, max: 7 }), (keys, limit) => {
        const { seen, pages } = pageAll(makePager(), new Set(keys), limit);
        expect(seen).toEqual([...keys].sort());
        expect(pages).toEqual(pages.map((_, i) => i + 1));
        expect(pages.length).toBe(Math.max(1, Math.ceil(keys.length / limit)));
      }),
    );
  });

  it('never skips or repeats a key that stays, nor serves one already deleted', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 1 })), { maxLength: 10 }),
        (keys, limit, changes) => {
          const items = new Set(keys);
          const deleted = new Set<string>();
          const { seen } = pageAll(makePager(), items, limit, (page) => {
            const [victimIndex, newcomer] = changes[page] ?? [page, `new-${page}`];
            const victim = keys[victimIndex % keys.length] ?? '';
            if (items.delete(victim)) deleted.add(victim);
            if (!deleted.has(newcomer)) items.add(newcomer);
          });
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen).toEqual([...seen].sort());
          for (const key of keys) if (!deleted.has(key)) expect(seen).toContain(key);
        },
      ),
    );
  });
});

describe('page tokens', () => {
  it('round-trip cursors through the opaque token and reject foreign tokens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.option(fc.string()),
        fc.option(fc.uuid()),
        (page, after, listing) => {
          const cursor = {
            page,
            ...(after === null ? {} : { after }),
            ...(listing === null ? {} : { listing }),
          };
          expect(decodePageToken(encodePageToken(cursor))).toEqual(cursor);
        },
      ),
    );
    for (const bad of ['', 'not-a-token', Buffer.from('{"p":0}').toString('base64url'), '%%%'])
      expect(decodePageToken(bad)).toBeUndefined();
  });
});
