import type { QuickSightUser } from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import { emailKeysOf } from '../../../shared/quicksight-user-rules.js';

/**
 * The keep-group rule (`IDSYNC_INACTIVE_KEEP_GROUPS`), one statement: a QuickSight user whose
 * person is a member of a keep group in the snapshot is never pruned as idle, whatever the
 * activity record says (people who only receive emailed reports leave no CloudTrail trace).
 * A person is matched as the plan matches (shared/quicksight-user-rules.ts: the user's email and
 * the email in its user name). Pure; the snapshot stores the members (shared/dynamo/
 * snapshot-store.ts, `keepGroupRows`), the idle selection (services/removals/idle/inactive-removals.ts)
 * and any later idle check read them through `keepGroupOf`.
 */

/** Normalised member email → the keep group it was first seen in. */
export type KeepGroupMembers = ReadonlyMap<string, string>;

/** The members of the keep groups from stored rows (`group`, `email`), first group per person. */
export function keepGroupMembers(
  rows: Iterable<{ readonly group: string; readonly email: string }>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) {
    const email = normalizeEmail(r.email);
    if (email.length > 0 && !out.has(email)) out.set(email, r.group);
  }
  return out;
}

/** The keep group a QuickSight user's person belongs to, or undefined when none. */
export function keepGroupOf(
  user: Pick<QuickSightUser, 'userName' | 'email'>,
  members: KeepGroupMembers,
): string | undefined {
  if (members.size === 0) return undefined;
  for (const key of emailKeysOf(user)) {
    const group = members.get(key);
    if (group !== undefined) return group;
  }
  return undefined;
}

/** The verdict text of a kept user: "kept: member of g@x (IDSYNC_INACTIVE_KEEP_GROUPS)". */
export function keptReason(group: string): string {
  return `kept: member of ${group} (IDSYNC_INACTIVE_KEEP_GROUPS)`;
}

/**
 * Why a snapshot's keep-group listing cannot be trusted, or undefined when it can: every
 * configured keep group must have been listed (`listed`: the manifest's
 * `sources.google.keepGroups`), and not empty. A snapshot taken before a group was configured,
 * or an empty listing, is unknown data: nobody is judged idle on it.
 */
export function keepGroupListingProblem(
  keepGroups: readonly string[],
  listed: Readonly<Record<string, number>> | undefined,
  runId: string,
): string | undefined {
  for (const group of keepGroups) {
    const count = listed?.[group];
    if (count === undefined)
      return `the newest COMPLETE snapshot (${runId}) did not list keep group ${group} (IDSYNC_INACTIVE_KEEP_GROUPS): run idsync snapshot with it configured first; nobody is judged idle without it`;
    if (count === 0)
      return `keep group ${group} (IDSYNC_INACTIVE_KEEP_GROUPS) listed no members in snapshot ${runId}: an empty listing is not trusted, so nobody is judged idle; check the group, or remove it from the variable`;
  }
  return undefined;
}
