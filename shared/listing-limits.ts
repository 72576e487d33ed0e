import type { GoogleMember, IdcUser, QuickSightUser } from './domain.js';
import { normalizeEmail } from './email.js';
import { emailProblem, idcUserIdProblem, shownValue, userNameProblem } from './value-limits.js';

/**
 * The value limits of shared/value-limits.ts applied to what a listing brings in (the snapshot's
 * three sources, and the DescribeUser answer an IdC user event refreshes the identity map with).
 * Pure. A value that fails never fails the run: the item is left out, kept without the value, or
 * kept and counted, as each function says, and the run reports how many and why.
 */

/** An email as listed: refused when the value as listed or as normalised (the key) fails. */
export function listedEmailProblem(raw: string): string | undefined {
  return emailProblem(raw) ?? emailProblem(normalizeEmail(raw));
}

/** One refused value of a listing: what idsync did and why; never the value in full. */
export interface ListingRefusal {
  /** `left out` (the item is not stored), `stored without email`, `kept` (stored as listed). */
  readonly action: 'left out' | 'stored without email' | 'kept';
  readonly reason: string;
  /** The IdC user id (shortened when it is the refused value). */
  readonly userId?: string;
}

export interface CheckedIdcUser {
  /** The user as it may be stored; absent when its id is refused (the user is left out). */
  readonly user?: IdcUser;
  readonly refusal?: ListingRefusal;
}

/**
 * An IdC user as idsync may store it. A refused user id (the identity map's partition key)
 * leaves the user out. A refused email is dropped; when the refused one is the user's primary
 * (or, with none marked, the first), every email is dropped, so the record has no `email` and no
 * `byEmail` key: another address must not stand in as the person's primary, and a DeleteUser
 * event for the user then resolves to no email (`unresolved`, nothing deleted).
 */
export function checkIdcUser(user: IdcUser): CheckedIdcUser {
  const badId = idcUserIdProblem(user.userId);
  if (badId !== undefined) {
    return {
      refusal: { action: 'left out', reason: badId, userId: shownValue(user.userId, 50) },
    };
  }
  const problems = user.emails.map((e) => listedEmailProblem(e.value));
  const firstProblem = problems.find((p) => p !== undefined);
  if (firstProblem === undefined) return { user };
  const primary = user.emails.find((e) => e.primary) ?? user.emails[0];
  const primaryRefused = primary !== undefined && problems[user.emails.indexOf(primary)];
  const emails = primaryRefused ? [] : user.emails.filter((_, i) => problems[i] === undefined);
  return {
    user: { ...user, emails },
    refusal: { action: 'stored without email', reason: firstProblem, userId: user.userId },
  };
}

/** A page of IdC users as it may be stored, and what was refused. */
export function checkIdcPage(users: readonly IdcUser[]): {
  readonly users: IdcUser[];
  readonly refusals: ListingRefusal[];
} {
  const kept: IdcUser[] = [];
  const refusals: ListingRefusal[] = [];
  for (const u of users) {
    const { user, refusal } = checkIdcUser(u);
    if (user) kept.push(user);
    if (refusal) refusals.push(refusal);
  }
  return { users: kept, refusals };
}

/**
 * Google members whose email is refused. They stay in the snapshot (`kept`): a member listed in a
 * configured group must count as a member, or a person whose entry is compared in normalised form
 * (`Jane@x.com\n` normalises to `jane@x.com`) could be read as a leaver and lose their seat. They
 * are not recorded in the membership ledger (`ledgerUsable`), so idsync never manages them: they
 * can never become leavers, and their email is never stored there.
 */
export function checkGooglePage(members: readonly GoogleMember[]): ListingRefusal[] {
  const refusals: ListingRefusal[] = [];
  for (const m of members) {
    const reason = listedEmailProblem(m.email);
    if (reason !== undefined) refusals.push({ action: 'kept', reason });
  }
  return refusals;
}

/** Whether a stored Google member row may go into the membership ledger (see checkGooglePage). */
export function ledgerUsable(row: { readonly rawEmail: string }): boolean {
  return listedEmailProblem(row.rawEmail) === undefined;
}

/**
 * QuickSight users with a user name or email over its limits. They are stored as listed (`kept`:
 * the snapshot must show every QuickSight user): a refused user name gets an `invalid` decision
 * rather than a task (services/removals/plan/decide.ts), and a refused email matches no usable one.
 */
export function checkQuickSightPage(users: readonly QuickSightUser[]): ListingRefusal[] {
  const refusals: ListingRefusal[] = [];
  for (const u of users) {
    const reason =
      userNameProblem(u.userName) ?? (u.email ? listedEmailProblem(u.email) : undefined);
    if (reason !== undefined) refusals.push({ action: 'kept', reason });
  }
  return refusals;
}

/** Distinct reasons kept per source (the count is exact; the list is for the operator). */
const MAX_REASONS = 5;
/** IdC user ids named in the log line per source. */
const MAX_USER_IDS = 20;

/** What one source refused over a whole listing, as the snapshot reports it. */
export interface RefusalSummary {
  readonly count: number;
  /** Distinct `<action>: <reason>` lines, at most five. */
  readonly reasons: readonly string[];
}

/** Counts the refusals of a listing page by page. */
export class RefusalTally {
  count = 0;
  private readonly reasons = new Set<string>();
  readonly userIds: string[] = [];

  add(refusals: readonly ListingRefusal[]): void {
    for (const r of refusals) {
      this.count++;
      if (this.reasons.size < MAX_REASONS) this.reasons.add(`${r.action}: ${r.reason}`);
      if (r.userId !== undefined && this.userIds.length < MAX_USER_IDS) this.userIds.push(r.userId);
    }
  }

  summary(): RefusalSummary | undefined {
    return this.count === 0 ? undefined : { count: this.count, reasons: [...this.reasons] };
  }
}
