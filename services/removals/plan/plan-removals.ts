import {
  DECISION_KINDS,
  type Decision,
  type DecisionKind,
  type LedgerEntry,
  type Plan,
  type QuickSightUser,
  REMOVAL_SOURCES,
  type Removal,
  type RemovalSource,
} from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import {
  buildQuickSightIndex,
  emailKeysOf,
  emailOfUserName,
  isManagedByPrefix,
} from '../../../shared/quicksight-user-rules.js';
import { buildProtection } from '../../../shared/removal-rules.js';
import { emailProblem, shownValue } from '../../../shared/value-limits.js';
import { decide, type PersonRemoval } from './decide.js';
import {
  applyAccountGuards,
  applyGuard,
  countGuardedWrites,
  evaluateGuard,
  type GuardOverride,
  guardedWriteKey,
  overrideHelp,
} from './guard.js';

/**
 * A run's plan from its removals: collapse each person's removals, match their QuickSight users,
 * decide each pair, then let the guard block every deletion if the run looks wrong. Pure and
 * deterministic: the same inputs, in any order, give the same plan.
 */

export interface GuardSettings {
  readonly maxDeletions: number;
  readonly maxDeletionPercent: number;
  readonly override?: GuardOverride;
  /** Configured groups that went from members to none (see `emptiedGroups`). */
  readonly emptiedGroups?: readonly string[];
  /**
   * IDSYNC_QUICKSIGHT_ACCOUNT_ID: with users in several QuickSight accounts, the limits apply
   * to each account too (./guard.ts, `applyAccountGuards`). Absent: in total only.
   */
  readonly homeAccountId?: string;
}

export interface PlanRemovalsInput {
  readonly removals: readonly Removal[];
  readonly quickSightUsers: readonly QuickSightUser[];
  /** Normalised emails in any configured group in the newest COMPLETE snapshot. */
  readonly currentMembers: ReadonlySet<string>;
  /** ISO time of the newest COMPLETE snapshot. */
  readonly currentMembersAsOf?: string;
  /** Normalised email → the configured groups it is in (newest COMPLETE snapshot), sorted. */
  readonly memberGroups?: ReadonlyMap<string, readonly string[]>;
  readonly protectedRoles: readonly string[];
  readonly protectedUsers: readonly string[];
  readonly guard: GuardSettings;
  /** Optional grace period: removals whose `since` is younger than this are deferred. */
  readonly gracePeriodMs?: number;
  /** Needed with a grace period. */
  readonly now?: Date;
  /** IDSYNC_GOOGLE_GROUP_WRITE=on: idle IdC-native users get `leave_group` decisions. */
  readonly groupWrite?: boolean;
  /**
   * Role changes planned apart (./role-changes.ts: `upgrade`, `downgrade`, `protected`): guarded
   * with the deletions; a user this plan deletes gets no role change.
   */
  readonly roleChanges?: readonly Decision[];
}

export function planRemovals(input: PlanRemovalsInput): Plan {
  const index = buildQuickSightIndex(input.quickSightUsers);
  const protection = buildProtection(input.protectedRoles, input.protectedUsers);
  const { valid, invalid } = splitInvalid(input.removals);
  const decided = collapseRemovals(valid).flatMap((person) =>
    decide({
      person,
      matches: index.lookup(person.email),
      currentMembers: input.currentMembers,
      currentMembersAsOf: input.currentMembersAsOf,
      memberGroups: input.memberGroups,
      protection,
      gracePeriodMs: input.gracePeriodMs,
      now: input.now,
      groupWrite: input.groupWrite,
    }),
  );
  decided.push(...invalid);
  const deleted = new Set(
    decided.flatMap((d) =>
      d.decision === 'delete' && d.quickSightUser ? [d.quickSightUser.arn] : [],
    ),
  );
  for (const change of input.roleChanges ?? [])
    if (!change.quickSightUser || !deleted.has(change.quickSightUser.arn)) decided.push(change);
  decided.sort(compareDecisions);
  const targets = deletionTargets(decided);
  const guard = evaluateGuard({
    deletions: targets.length,
    kinds: countGuardedWrites(targets),
    quickSightUserCount: input.quickSightUsers.length,
    maxDeletions: input.guard.maxDeletions,
    maxDeletionPercent: input.guard.maxDeletionPercent,
    override: input.guard.override,
    emptiedGroups: input.guard.emptiedGroups ?? [],
  });
  const guarded = applyGuard(decided, guard);
  const accounts =
    guard.tripped || input.guard.homeAccountId === undefined
      ? undefined
      : applyAccountGuards({
          homeAccountId: input.guard.homeAccountId,
          decisions: guarded,
          quickSightUsers: input.quickSightUsers,
          maxDeletions: input.guard.maxDeletions,
          maxDeletionPercent: input.guard.maxDeletionPercent,
          ...(input.guard.override ? { override: input.guard.override } : {}),
        });
  if (!accounts || accounts.heldAccounts.length === 0)
    return { decisions: guarded, guard, counts: countDecisions(guarded) };
  const held = {
    ...guard,
    reasons: [...guard.reasons, ...accounts.reasons],
    heldAccounts: accounts.heldAccounts,
    howToOverride: overrideHelp(accounts.decisions.filter((d) => d.accountHeld).length, []),
  };
  return {
    decisions: [...accounts.decisions],
    guard: held,
    counts: countDecisions(accounts.decisions),
  };
}

/** Removals whose email fails the value limits become `invalid` decisions (shortened email). */
function splitInvalid(removals: readonly Removal[]): { valid: Removal[]; invalid: Decision[] } {
  const valid: Removal[] = [];
  const invalid: Decision[] = [];
  for (const removal of removals) {
    const email = normalizeEmail(removal.email);
    const problem = email.length === 0 ? undefined : emailProblem(email);
    if (problem === undefined) valid.push(removal);
    else
      invalid.push({
        email: shownValue(email),
        source: removal.source,
        sources: [removal.source],
        decision: 'invalid',
        reason: `${problem}${removal.detail ? ` (${removal.detail})` : ''}; not queued`,
        ...(removal.userId === undefined ? {} : { userId: removal.userId }),
      });
  }
  return { valid, invalid };
}

/** One entry per person (normalised email), sorted by email; sources in canonical order. */
export function collapseRemovals(removals: readonly Removal[]): PersonRemoval[] {
  const byEmail = new Map<string, Removal[]>();
  for (const removal of removals) {
    const email = normalizeEmail(removal.email);
    if (email.length === 0) continue;
    const list = byEmail.get(email);
    if (list) list.push(removal);
    else byEmail.set(email, [removal]);
  }
  return [...byEmail.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([email, list]) => collapsePerson(email, list));
}

function collapsePerson(email: string, removals: readonly Removal[]): PersonRemoval {
  const ordered = [...removals].sort(
    (a, b) =>
      REMOVAL_SOURCES.indexOf(a.source) - REMOVAL_SOURCES.indexOf(b.source) ||
      compareText(a.detail ?? '', b.detail ?? '') ||
      compareText(a.userId ?? '', b.userId ?? ''),
  );
  const sources = sharedSources(REMOVAL_SOURCES.filter((s) => ordered.some((r) => r.source === s)));
  const details = [...new Set(ordered.flatMap((r) => (r.detail ? [r.detail] : [])))];
  const userId = ordered.find((r) => r.userId !== undefined)?.userId;
  const since = ordered
    .flatMap((r) => (r.since === undefined ? [] : [r.since]))
    .sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  const prefixes = new Set(ordered.map((r) => r.userNamePrefix));
  const only = prefixes.size === 1 ? [...prefixes][0] : undefined;
  // Per-user removals (inactive) reach only the users they name, unless another removal of the
  // same person means all of their users.
  const userNames = ordered.every((r) => r.userName !== undefined)
    ? new Map(ordered.map((r) => [normalizeEmail(r.userName ?? ''), r.detail ?? '']))
    : undefined;
  const keepMembers = ordered.some((r) => r.keepMembers === true);
  const idleDays = ordered.flatMap((r) => (r.idleDays === undefined ? [] : [r.idleDays]));
  // Downgrades only while every removal of the person names its user with a target role.
  const targetRoles =
    userNames && ordered.every((r) => r.targetRole !== undefined)
      ? new Map(ordered.map((r) => [normalizeEmail(r.userName ?? ''), r.targetRole as string]))
      : undefined;
  return {
    email,
    sources,
    details,
    ...(userId === undefined ? {} : { userId }),
    ...(since === undefined ? {} : { since }),
    ...(only === undefined ? {} : { userNamePrefix: only }),
    ...(userNames === undefined ? {} : { userNames }),
    ...(keepMembers ? { keepMembers } : {}),
    ...(idleDays.length > 0 ? { idleDays: Math.max(...idleDays) } : {}),
    ...(targetRoles ? { targetRoles } : {}),
  };
}

/**
 * One array per combination of sources, shared by every person and decision with that
 * combination (never changed): a plan of 300,000 CSV rows otherwise holds 300,000 copies of
 * `['csv']`, about 180 bytes each.
 */
const SOURCE_LISTS = new Map<string, readonly RemovalSource[]>();
function sharedSources(sources: readonly RemovalSource[]): readonly RemovalSource[] {
  const key = sources.join(',');
  const known = SOURCE_LISTS.get(key);
  if (known) return known;
  const list = Object.freeze([...sources]);
  SOURCE_LISTS.set(key, list);
  return list;
}

/**
 * The guarded writes of the plan, each once: QuickSight users it deletes or changes the role of
 * (a user reachable by two emails counts once) and group removals (`leave_group`, one per person
 * and group): what the guard counts (./guard.ts, guardedWriteKey).
 */
export function deletionTargets(decisions: readonly Decision[]): Decision[] {
  const seen = new Set<string>();
  return decisions.filter((d) => {
    const key = guardedWriteKey(d);
    if (key === undefined || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function countDecisions(decisions: readonly Decision[]): Record<DecisionKind, number> {
  const counts = Object.fromEntries(DECISION_KINDS.map((k) => [k, 0])) as Record<
    DecisionKind,
    number
  >;
  for (const d of decisions) counts[d.decision] += 1;
  return counts;
}

function compareDecisions(a: Decision, b: Decision): number {
  return (
    compareText(a.email, b.email) ||
    compareText(a.quickSightUser?.userName ?? '', b.quickSightUser?.userName ?? '') ||
    compareText(a.quickSightUser?.arn ?? '', b.quickSightUser?.arn ?? '')
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Level-triggered removal detection, like a controller: a leaver is a person the membership
 * ledger knows who is in no configured group in the newest COMPLETE snapshot. Running it twice
 * on the same state finds the same people, so a missed run is caught by the next one.
 */

export interface FindLeaversInput {
  /** Everyone ever seen as a member of a configured group in a COMPLETE snapshot. */
  readonly ledger: Iterable<LedgerEntry>;
  /** Normalised emails in any configured group in the newest COMPLETE snapshot. */
  readonly currentMembers: ReadonlySet<string>;
  readonly quickSightUsers: readonly QuickSightUser[];
  /** IDSYNC_MANAGED_USERNAME_PREFIX: QuickSight users under it are managed even if never seen. */
  readonly managedUsernamePrefix?: string;
}

/** The leavers, one removal per person, sorted by email. */
export function findLeavers(input: FindLeaversInput): Removal[] {
  const { currentMembers } = input;
  const leavers = new Map<string, Removal>();
  for (const entry of input.ledger) {
    const email = normalizeEmail(entry.email);
    if (email.length === 0 || currentMembers.has(email) || leavers.has(email)) continue;
    leavers.set(email, {
      email,
      source: 'group_removal',
      since: entry.lastSeenAsMember,
      detail: `last seen in ${describeGroups(entry.groups)} at ${entry.lastSeenAsMember}`,
    });
  }
  const prefix = input.managedUsernamePrefix;
  if (prefix) {
    for (const user of input.quickSightUsers) {
      if (!isManagedByPrefix(user.userName, prefix)) continue;
      const keys = emailKeysOf(user);
      if (keys.some((key) => currentMembers.has(key))) continue;
      const email = emailOfUserName(user.userName) ?? keys[0];
      if (email === undefined || leavers.has(email)) continue;
      leavers.set(email, {
        email,
        source: 'group_removal',
        userNamePrefix: prefix,
        detail: `managed by username prefix ${prefix} and in no configured group`,
      });
    }
  }
  return [...leavers.values()].sort((a, b) => compare(a.email, b.email));
}

function describeGroups(groups: readonly string[]): string {
  if (groups.length === 0) return 'a configured group';
  return groups.length === 1 ? `group ${groups[0]}` : `groups ${groups.join(', ')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
