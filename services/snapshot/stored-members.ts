import type { GoogleRow } from '../../shared/dynamo/snapshot-store.js';
import type { MemberSighting } from '../../shared/identity-merge.js';
import { ledgerUsable } from '../../shared/listing-limits.js';

/** The members a snapshot stored, as the ledger reads them (./run-snapshot.ts). */

/**
 * The members a run stored, one sighting per row (the ledger merges a person's groups); members
 * whose email is refused are not recorded (shared/listing-limits.ts, `checkGooglePage`).
 */
export async function* storedMembers(
  rows: AsyncIterable<GoogleRow[]>,
): AsyncIterable<MemberSighting> {
  for await (const page of rows)
    for (const r of page)
      if (ledgerUsable(r)) yield { email: r.email, googleId: r.googleId, groups: [r.group] };
}

/** Rows held in memory, as the one page of a stored listing. */
export async function* onePage<T>(rows: readonly T[]): AsyncIterable<T[]> {
  yield [...rows];
}

/** The number of distinct people among the stored member rows the ledger would record. */
export async function countPeople(rows: AsyncIterable<GoogleRow[]>): Promise<number> {
  const emails = new Set<string>();
  for await (const page of rows) for (const r of page) if (ledgerUsable(r)) emails.add(r.email);
  return emails.size;
}
