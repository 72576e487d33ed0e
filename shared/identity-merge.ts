import { createHash } from 'node:crypto';
import type { IdcUser, IdentityRecord, LedgerEntry } from './domain.js';
import { normalizeEmail } from './email.js';

/**
 * Pure merges of what a listing saw into the identity map and the membership ledger, and the
 * decisions of what needs writing at all (a steady-state snapshot writes only what changed).
 */

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

/** The attributes of an identity record a listing determines (everything but times and history). */
export type IdentityFields = Pick<
  IdentityRecord,
  'userName' | 'displayName' | 'emails' | 'email' | 'externalIds'
>;

/** A digest of the listing-determined attributes: equal digests mean the record needs no rewrite. */
export function identityFingerprint(r: IdentityFields): string {
  const canonical = JSON.stringify([
    r.userName,
    r.displayName ?? null,
    r.emails,
    r.email ?? null,
    r.externalIds.map((x) => [x.issuer, x.id]),
  ]);
  // 128 bits, as a flat 22-character string (a slice would keep the whole digest alive).
  return createHash('sha256').update(canonical).digest().toString('base64url', 0, 16);
}

/** 32-bit FNV-1a: a stable, well-spread hash of a string (for bucketing, not security). */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** What the identity map holds about a user, enough to decide whether a sighting needs writing. */
export interface IdentitySummary {
  readonly lastSeen: string;
  readonly goneAt?: string;
  readonly fingerprint: string;
}

/** Why a sighting must be written; `undefined` when the stored record already says it all. */
export type IdentityWrite = 'new' | 'changed' | 'revived' | undefined;

/**
 * Whether seeing `user` at `at` changes its record (pure): a new user, changed attributes, or a
 * user marked gone seen alive again. Seeing an unchanged user needs no write: its `lastSeen`
 * is the newest COMPLETE listing recorded (see `identityView`).
 */
export function identityWrite(
  stored: IdentitySummary | undefined,
  user: IdcUser,
  at: string,
): IdentityWrite {
  if (!stored) return 'new';
  if (identityFingerprint(mergeIdentity(undefined, user, at)) !== stored.fingerprint)
    return 'changed';
  if (stored.goneAt !== undefined && stored.goneAt <= at) return 'revived';
  return undefined;
}

/** The newest COMPLETE IdC listing recorded in the identity map. */
export interface ListingRun {
  readonly runId: string;
  readonly startedAt: string;
}

/**
 * The record readers see (pure). A record not gone was shown by every COMPLETE listing since it
 * was written (otherwise it would have been marked gone), so its last sighting is the newest
 * recorded listing when that is later than the stored `lastSeen`.
 */
export function identityView<R extends Pick<IdentityRecord, 'lastSeen' | 'goneAt'>>(
  record: R & { lastSeenRunId?: string },
  latest: ListingRun | undefined,
): R {
  if (record.goneAt !== undefined || !latest || latest.startedAt <= record.lastSeen) return record;
  return { ...record, lastSeen: latest.startedAt, lastSeenRunId: latest.runId };
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

/**
 * A digest of who is a member, with which Google id and groups (order-free): a ledger bucket
 * stores the digest of its members, so a snapshot can tell that a bucket needs no change by
 * comparing it with the digest of the bucket's sightings, without reading the entries.
 */
export function ledgerMembersDigest(
  members: Iterable<Pick<MemberSighting, 'email' | 'googleId' | 'groups'>>,
): string {
  const lines = Array.from(members, (m) => `${m.email}\t${m.googleId}\t${[...m.groups].sort()}`);
  const hash = createHash('sha256');
  for (const line of lines.sort()) hash.update(`${line}\n`);
  return hash.digest().toString('base64url', 0, 16);
}

/** A COMPLETE snapshot recorded in the ledger. */
export interface LedgerRun {
  readonly runId: string;
  readonly at: string;
}

/**
 * A ledger entry as stored. `member` means: listed in every COMPLETE snapshot recorded since
 * `lastSeenRunId`, so its true last sighting is the newest recorded run (see `ledgerView`) and
 * it need not be rewritten while nothing about it changes.
 */
export interface StoredLedgerEntry extends LedgerEntry {
  readonly member?: true;
}

/** The entry readers see: a member's last sighting is the newest recorded run. */
export function ledgerView(entry: StoredLedgerEntry, latest: LedgerRun | undefined): LedgerEntry {
  const { member, ...rest } = entry;
  if (!member || !latest || latest.at <= rest.lastSeenAsMember) return rest;
  return { ...rest, lastSeenAsMember: latest.at, lastSeenRunId: latest.runId };
}

/**
 * The entries of one ledger bucket after run `run` listed `seen` (pure). New members, members
 * whose id or groups changed, and people listed again after leaving are written as seen now; a
 * member no longer listed gets the last sighting `previous` (the run recorded before this one)
 * stood for, and stops being a member. `changed` is false when nothing needs writing.
 */
export function mergeLedgerBucket(
  entries: Readonly<Record<string, StoredLedgerEntry>>,
  seen: readonly MemberSighting[],
  run: LedgerRun,
  previous: LedgerRun | undefined,
): { entries: Readonly<Record<string, StoredLedgerEntry>>; changed: boolean } {
  // Copied on the first change only: a steady-state snapshot changes almost no bucket.
  let out: Record<string, StoredLedgerEntry> | undefined;
  const set = (email: string, entry: StoredLedgerEntry) => {
    out ??= { ...entries };
    out[email] = entry;
  };
  const listed = new Set<string>();
  for (const s of seen) {
    listed.add(s.email);
    const stored = entries[s.email];
    if (stored?.member && stored.googleId === s.googleId && sameGroups(stored.groups, s.groups))
      continue;
    set(s.email, { ...mergeLedger(stored, s, run.at, run.runId), member: true });
  }
  for (const [email, stored] of Object.entries(entries)) {
    if (stored.member && !listed.has(email)) set(email, ledgerView(stored, previous));
  }
  return out ? { entries: out, changed: true } : { entries, changed: false };
}

/** Whether two group lists hold the same groups (each list without repeats). */
function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((g) => a.includes(g));
}
