import { randomUUID } from 'node:crypto';

/**
 * Paging of a sandbox listing, robust to items added or deleted between pages (the sync
 * simulator and the worker change the state while a snapshot pages through it): pages follow key
 * order, each continuing after the previous page's last key, so nothing still present is skipped
 * or repeated. The NextToken is opaque to clients (base64url JSON) and carries the page number,
 * which fault injection (`failPage`) keys on.
 */

export interface PageCursor {
  /** 1-based number of the page this cursor asks for. */
  readonly page: number;
  /** Key of the last item of the previous page; absent for the first page. */
  readonly after?: string;
  /** Id of the sorted key list a `ListingCache` holds for this listing. */
  readonly listing?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** The cursor of the next page, when there are more items. */
  readonly next?: PageCursor;
}

export const FIRST_PAGE: PageCursor = { page: 1 };

export function encodePageToken(cursor: PageCursor): string {
  const { page: p, after: a, listing: l } = cursor;
  return Buffer.from(JSON.stringify({ p, a, l }), 'utf8').toString('base64url');
}

/** The cursor a NextToken stands for; `undefined` when the token is not one of ours. */
export function decodePageToken(token: string): PageCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { p, a, l } = parsed as { p?: unknown; a?: unknown; l?: unknown };
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) return undefined;
    if (a !== undefined && typeof a !== 'string') return undefined;
    if (l !== undefined && typeof l !== 'string') return undefined;
    return {
      page: p,
      ...(a !== undefined ? { after: a } : {}),
      ...(l !== undefined ? { listing: l } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The page at `cursor`: the `limit` items with the smallest keys greater than `cursor.after`,
 * in key order. One pass over `items` (no full sort), so paging 100k items stays linear per page.
 */
export function selectPage<T>(
  items: Iterable<T>,
  keyOf: (item: T) => string,
  limit: number,
  cursor: PageCursor = FIRST_PAGE,
): Page<T> {
  const buffer: { key: string; item: T }[] = [];
  let more = false;
  for (const item of items) {
    const key = keyOf(item);
    if (cursor.after !== undefined && key <= cursor.after) continue;
    if (buffer.length === limit) {
      more = true;
      const last = buffer[limit - 1];
      if (last === undefined || key >= last.key) continue;
      buffer.pop();
    }
    buffer.splice(insertionIndex(buffer, key), 0, { key, item });
  }
  const last = buffer.at(-1);
  return {
    items: buffer.map((entry) => entry.item),
    ...(more && last ? { next: { page: cursor.page + 1, after: last.key } } : {}),
  };
}

/** Where the items of a cached listing come from: all of them, and one by key (is it still there?). */
export interface ListingSource<T> {
  list(): Iterable<T>;
  lookup(key: string): T | undefined;
}

/**
 * Listings held as sorted key lists between their pages, so paging 100k items costs one sort on
 * page 1 and a binary search plus `limit` lookups per later page (a scan of every item per page
 * took minutes at that size). Later pages serve the items of page 1's key list that still exist
 * (looked up live), so a deleted item is never served and nothing present at page 1 is skipped;
 * items created after page 1 are not in that listing. A listing is dropped after its last page
 * or when more than `maxListings` are open; a page of a dropped listing falls back to
 * `selectPage` over the live items, which gives the same order.
 */
export class ListingCache<T> {
  private readonly listings = new Map<string, readonly string[]>();

  constructor(
    private readonly source: ListingSource<T>,
    private readonly keyOf: (item: T) => string,
    private readonly maxListings = 16,
  ) {}

  page(limit: number, cursor: PageCursor = FIRST_PAGE): Page<T> {
    const id = cursor.after === undefined ? this.open() : cursor.listing;
    const keys = id === undefined ? undefined : this.listings.get(id);
    if (id === undefined || keys === undefined)
      return selectPage(this.source.list(), this.keyOf, limit, cursor);
    let index = cursor.after === undefined ? 0 : insertionIndex(keys, cursor.after, true);
    const items: T[] = [];
    let last: string | undefined;
    while (index < keys.length && items.length < limit) {
      last = keys[index++] as string;
      const item = this.source.lookup(last);
      if (item !== undefined) items.push(item);
    }
    if (index < keys.length && last !== undefined)
      return { items, next: { page: cursor.page + 1, after: last, listing: id } };
    this.listings.delete(id);
    return { items };
  }

  private open(): string {
    const keys = Array.from(this.source.list(), this.keyOf).sort();
    const id = randomUUID();
    this.listings.set(id, keys);
    for (const oldest of this.listings.keys()) {
      if (this.listings.size <= this.maxListings) break;
      this.listings.delete(oldest);
    }
    return id;
  }
}

/** Index of the first key at or after `key` (after it, when `strictlyAfter`) in sorted keys. */
function insertionIndex(
  sorted: readonly (string | { key: string })[],
  key: string,
  strictlyAfter = false,
): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const probe = sorted[mid] as string | { key: string };
    const probeKey = typeof probe === 'string' ? probe : probe.key;
    if (probeKey < key || (strictlyAfter && probeKey === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
