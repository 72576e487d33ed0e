import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListingSnapshots } from '../../../../services/sandbox/google/listing-snapshots.js';
import { FIRST_PAGE, type PageCursor } from '../../../../services/sandbox/http/paging.js';
import type { GoogleMember } from '../../../../shared/domain.js';

const member = (email: string): GoogleMember => ({ id: `id-${email}`, email, type: 'USER' });
const emails = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 120 });

/** Pages through `listingKey`, calling `between` after each page; returns the emails served. */
function pageThrough(
  snapshots: ListingSnapshots,
  limit: number,
  load: () => GoogleMember[],
  between: (page: number) => void = () => {},
): string[] {
  const served: string[] = [];
  let cursor: PageCursor | undefined = FIRST_PAGE;
  while (cursor) {
    const page = snapshots.page('g|true', cursor, limit, load);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    served.push(...page.items.map((m) => m.email));
    between(cursor.page);
    cursor = page.next;
  }
  return served;
}

describe('ListingSnapshots', () => {
  it('serves every member once, in key order, in pages of at most `limit` (property)', () => {
    fc.assert(
      fc.property(emails, fc.integer({ min: 1, max: 50 }), (all, limit) => {
        const served = pageThrough(new ListingSnapshots(), limit, () => all.map(member));
        expect(served).toEqual([...all].sort());
      }),
    );
  });

  it('reads the state once per listing, not once per page', () => {
    let loads = 0;
    const all = Array.from({ length: 450 }, (_, i) => member(`u${i}@example.com`));
    const served = pageThrough(new ListingSnapshots(), 200, () => {
      loads++;
      return all;
    });
    expect(served).toHaveLength(450);
    expect(loads).toBe(1);
  });

  it('neither repeats nor skips a member present throughout, when another listing evicts the snapshot (property)', () => {
    fc.assert(
      fc.property(emails, emails, fc.integer({ min: 1, max: 20 }), (stable, churn, limit) => {
        const snapshots = new ListingSnapshots();
        let current = [...new Set([...stable, ...churn])];
        const served = pageThrough(
          snapshots,
          limit,
          () => current.map(member),
          (page) => {
            // Between pages: the churning members leave, and a complete listing of the same
            // group by someone else drops the snapshot.
            if (page === 1) {
              current = stable;
              pageThrough(snapshots, 1000, () => current.map(member));
            }
          },
        );
        expect(new Set(served).size).toBe(served.length);
        for (const email of stable) expect(served).toContain(email);
      }),
    );
  });
});
