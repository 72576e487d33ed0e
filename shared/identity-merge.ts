import type { IdcUser, IdentityRecord, LedgerEntry } from './domain.js';
import { normalizeEmail } from './email.js';

/** The normalised primary email of an IdC user (the first email when none is primary). */
export function primaryEmail(user: Pick<IdcUser, 'emails'>): string | undefined {
  const chosen = user.emails.find((e) => e.primary) ?? user.emails[0];
  return chosen ? normalizeEmail(chosen.value) : undefined;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The identity-map record after seeing `user` at `at` (pure). A new user gets `firstSeen`; a
 * changed user name or email list pushes the previous values onto `history`; seeing a user
 * again clears nothing else and never sets `goneAt`. A user seen again after `goneAt` (an id is
 * never reused by IdC, but a stale snapshot could race an event) is alive again.
 */
export function mergeIdentity(
  previous: IdentityRecord | undefined,
  user: IdcUser,
  at: string,
): IdentityRecord {
  const emails = user.emails.map((e) => e.value);
  const history = [...(previous?.history ?? [])];
  if (previous && (previous.userName !== user.userName || !sameList(previous.emails, emails))) {
    history.push({ until: at, userName: previous.userName, emails: previous.emails });
  }
  const email = primaryEmail(user);
  const lastSeen = previous && previous.lastSeen > at ? previous.lastSeen : at;
  return {
    userId: user.userId,
    userName: user.userName,
    ...(user.displayName ? { displayName: user.displayName } : {}),
    emails,
    ...(email ? { email } : {}),
    externalIds: user.externalIds,
    firstSeen: previous?.firstSeen ?? at,
    lastSeen,
    ...(previous?.goneAt && previous.goneAt > at ? { goneAt: previous.goneAt } : {}),
    history,
  };
}

/** A person listed as a member of a configured group in one snapshot. */
export interface MemberSighting {
  readonly email: string;
  readonly googleId: string;
  readonly groups: readonly string[];
}

/** The ledger entry after a COMPLETE snapshot listed the person as a member (pure). */
export function mergeLedger(
  previous: LedgerEntry | undefined,
  seen: MemberSighting,
  at: string,
  runId: string,
): LedgerEntry {
  return {
    email: seen.email,
    googleId: seen.googleId,
    groups: [...seen.groups].sort(),
    firstSeenAsMember: previous?.firstSeenAsMember ?? at,
    lastSeenAsMember: at,
    lastSeenRunId: runId,
  };
}
