import type { GoogleMember } from '../../../shared/domain.js';
import type { Page, PageCursor } from '../http/paging.js';

/**
 * Member listings held sorted between the pages of one listing, so paging a 100k-member group
 * costs one flatten-and-sort on page 1 and a binary search per page after it (recomputing the
 * flattened group for each of 500 pages took minutes). Page 1 always reads the state afresh;
 * later pages read the listing as it was at page 1, continuing after the last key served, so a
 * listing never repeats or skips a member. The entry is dropped with the last page; if it is
 * gone (another listing of the same group finished first) the listing is recomputed.
 */
export class ListingSnapshots {
  private readonly listings = new Map<string, { keys: string[]; members: GoogleMember[] }>();

  page(
    listingKey: string,
    cursor: PageCursor,
    limit: number,
    load: () => readonly GoogleMember[],
  ): Page<GoogleMember> {
    let listing = cursor.after === undefined ? undefined : this.listings.get(listingKey);
    if (!listing) {
      const members = [...load()].sort((a, b) => compare(memberKey(a), memberKey(b)));
      listing = { keys: members.map(memberKey), members };
      this.listings.set(listingKey, listing);
    }
    const start = cursor.after === undefined ? 0 : firstAfter(listing.keys, cursor.after);
    const end = Math.min(start + limit, listing.members.length);
    const items = listing.members.slice(start, end);
    const lastKey = listing.keys[end - 1];
    if (end < listing.members.length && lastKey !== undefined)
      return { items, next: { page: cursor.page + 1, after: lastKey } };
    this.listings.delete(listingKey);
    return { items };
  }
}

export const memberKey = (member: GoogleMember): string => member.email.toLowerCase();

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Index of the first key greater than `after` in sorted `keys`. */
function firstAfter(keys: readonly string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
