import type { Decision, GuardResult, QuickSightUser } from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import { GUARD_TRIPPED_PREFIX } from '../../../shared/held-work.js';
import { accountOfScopeKey } from '../../../shared/quicksight-scopes.js';
import { MAX_DELETIONS_FLAG, releaseCommand } from '../../../shared/release-command.js';

/**
 * The safety guard of a run (docs/ARCHITECTURE.md, "Safety rules"): too many deletions, or a configured Google group that
 * went from non-empty to empty (a failed read, never "everyone left"), and the run deletes nothing.
 */

export interface GuardOverride {
  /** `--max-deletions N`: allow up to N deletions in this run, instead of both configured limits. */
  readonly maxDeletions?: number;
  /** Accept groups that went empty as really empty (`--allow-emptied-groups`). */
  readonly allowEmptiedGroups?: boolean;
}

export interface GuardInput {
  /** How many guarded writes the run would make (deletions, role changes, group removals). */
  readonly deletions: number;
  /** The same writes by kind, for the reasons' text; absent: all are deletions. */
  readonly kinds?: GuardedWriteCounts;
  /** How many QuickSight users there are in the namespace. */
  readonly quickSightUserCount: number;
  /** IDSYNC_MAX_DELETIONS. */
  readonly maxDeletions: number;
  /** IDSYNC_MAX_DELETION_PERCENT (0–100]. */
  readonly maxDeletionPercent: number;
  readonly override?: GuardOverride;
  /** Configured groups that were non-empty in the previous snapshot and are empty now. */
  readonly emptiedGroups: readonly string[];
}

export const ALLOW_EMPTIED_GROUPS_FLAG = '--allow-emptied-groups';

/** The guarded writes of a run by kind (each kind of GUARDED_DECISIONS in one of them). */
export interface GuardedWriteCounts {
  readonly deletions: number;
  /** `upgrade` and `downgrade`. */
  readonly roleChanges: number;
  /** `leave_group`. */
  readonly groupRemovals: number;
}

/** Counts guarded writes (one per guardedWriteKey, as deletionTargets gives them) by kind. */
export function countGuardedWrites(
  writes: readonly Pick<Decision, 'decision'>[],
): GuardedWriteCounts {
  const of = (...kinds: string[]) => writes.filter((d) => kinds.includes(d.decision)).length;
  return {
    deletions: of('delete'),
    roleChanges: of('upgrade', 'downgrade'),
    groupRemovals: of('leave_group'),
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What the guard counted, as its reasons say it: "N deletions" when all are deletions (or the
 * kinds are not known), else "N changes (a deletions, b role changes, c group removals)" with the
 * kinds there are.
 */
export function describeGuardedWrites(total: number, kinds?: GuardedWriteCounts): string {
  if (!kinds || kinds.roleChanges + kinds.groupRemovals === 0) return `${total} deletions`;
  const parts = [
    kinds.deletions > 0 ? plural(kinds.deletions, 'deletion', 'deletions') : undefined,
    kinds.roleChanges > 0 ? plural(kinds.roleChanges, 'role change', 'role changes') : undefined,
    kinds.groupRemovals > 0
      ? plural(kinds.groupRemovals, 'group removal', 'group removals')
      : undefined,
  ].filter((p) => p !== undefined);
  return `${plural(total, 'change', 'changes')} (${parts.join(', ')})`;
}

export function evaluateGuard(input: GuardInput): GuardResult {
  const reasons: string[] = [];
  const { deletions, quickSightUserCount, override } = input;
  const counted = describeGuardedWrites(deletions, input.kinds);
  const overridden = override?.maxDeletions;
  if (overridden !== undefined) {
    if (deletions > overridden) {
      reasons.push(`${counted} exceed ${MAX_DELETIONS_FLAG} ${overridden}`);
    }
  } else {
    if (deletions > input.maxDeletions) {
      reasons.push(`${counted} exceed IDSYNC_MAX_DELETIONS=${input.maxDeletions}`);
    }
    // Compared as deletions × 100 > percent × users, so 29 of 100 at 29% is not a float trip.
    if (deletions * 100 > input.maxDeletionPercent * quickSightUserCount) {
      const share = quickSightUserCount === 0 ? 100 : (deletions / quickSightUserCount) * 100;
      reasons.push(
        `${counted} are ${share.toFixed(1)}% of ${quickSightUserCount} QuickSight users, ` +
          `above IDSYNC_MAX_DELETION_PERCENT=${input.maxDeletionPercent}`,
      );
    }
  }
  const emptied = override?.allowEmptiedGroups ? [] : [...input.emptiedGroups].sort();
  if (emptied.length > 0) {
    reasons.push(
      `Google group(s) ${emptied.join(', ')} went from members to none: treated as a failed read, ` +
        'not as everyone leaving',
    );
  }
  const tripped = reasons.length > 0;
  return { tripped, reasons, howToOverride: tripped ? overrideHelp(deletions, emptied) : '' };
}

/** What the operator can do about a tripped guard (or a QuickSight account's held writes). */
export function overrideHelp(deletions: number, emptied: readonly string[]): string {
  const lines = [
    'Nothing was deleted. If these deletions are intended:',
    `  - allow them for this run only: ${MAX_DELETIONS_FLAG} ${Math.max(deletions, 1)}`,
    '  - or raise the limits for every run: IDSYNC_MAX_DELETIONS / IDSYNC_MAX_DELETION_PERCENT',
  ];
  if (emptied.length > 0) {
    lines.push(
      '  - a group that went empty: check it in Google Workspace (and the snapshot); if it really ' +
        `is empty, run again with ${ALLOW_EMPTIED_GROUPS_FLAG}`,
    );
  }
  return lines.join('\n');
}

/**
 * Groups that had members before and have none now. Only groups in `currentCounts` are looked at
 * (pass every configured group there, with 0 for an empty one); keys compare as normalised emails.
 */
export function emptiedGroups(
  previousCounts: Readonly<Record<string, number>>,
  currentCounts: Readonly<Record<string, number>>,
): string[] {
  const previous = new Map(
    Object.entries(previousCounts).map(([group, count]) => [normalizeEmail(group), count]),
  );
  return Object.entries(currentCounts)
    .filter(([group, count]) => count === 0 && (previous.get(normalizeEmail(group)) ?? 0) > 0)
    .map(([group]) => group)
    .sort();
}

/**
 * The writes the guard counts with deletions and holds the same way, written once: a `delete`
 * (keyed by its QuickSight user: reachable twice, counted once), a role change (`upgrade`,
 * `downgrade`: a seat changed by idsync) and a `leave_group` (keyed by person and group: one
 * Google call each, as the worker reserves one window slot per task). Undefined: not a guarded
 * write.
 */
export function guardedWriteKey(d: Decision): string | undefined {
  const arn = d.quickSightUser?.arn;
  if (arn === undefined || !isGuardedChange(d)) return undefined;
  if (d.decision === 'delete') return arn;
  if (d.decision === 'upgrade' || d.decision === 'downgrade') return `${arn}#role`;
  if (d.decision === 'leave_group' && d.group !== undefined) return `${d.email}#${d.group}`;
  return undefined;
}

/** The decisions the guard counts and holds (each keyed by guardedWriteKey). */
export const GUARDED_DECISIONS = ['delete', 'upgrade', 'downgrade', 'leave_group'] as const;

/** Whether the guard counts and holds this decision. */
export function isGuardedChange(d: Pick<Decision, 'decision'>): boolean {
  return (GUARDED_DECISIONS as readonly string[]).includes(d.decision);
}

/** When the guard tripped, every guarded write becomes `blocked` with the guard's reasons. */
export function applyGuard(decisions: readonly Decision[], guard: GuardResult): Decision[] {
  if (!guard.tripped) return [...decisions];
  const why = `${GUARD_TRIPPED_PREFIX}${guard.reasons.join('; ')}`;
  return decisions.map((d) =>
    isGuardedChange(d) ? { ...d, decision: 'blocked', reason: `${why}; was: ${d.reason}` } : d,
  );
}

/**
 * Whether a tripped guard leaves its plan's deletions recorded as held tasks (BLOCKED with the
 * guard's reason, released only by `idsync apply --max-deletions N`): yes when it tripped on the
 * number of deletions, so the held work shows in `idsync status`, `apply`, `reconcile` and the
 * HeldTasks alarm; no when a configured group went empty (not accepted with
 * --allow-emptied-groups): those deletions come from a read treated as failed, so nothing of them
 * is written down (the next snapshot re-derives the leavers).
 */
export function holdsTrippedPlan(
  guard: Pick<GuardResult, 'tripped'>,
  emptiedGroups: readonly string[],
  override?: GuardOverride,
): boolean {
  return guard.tripped && (emptiedGroups.length === 0 || override?.allowEmptiedGroups === true);
}

/** How much of the cross-run guard window's budget is used (plan text, `--json`, report). */
export interface GuardWindowView {
  /** Deletions reserved within the window by earlier runs. */
  readonly used: number;
  /** IDSYNC_MAX_DELETIONS: the window's budget. */
  readonly limit: number;
  /** IDSYNC_GUARD_WINDOW_HOURS. */
  readonly hours: number;
  /** Deletions of this plan beyond what is left: `blocked`, queued as BLOCKED tasks. */
  readonly blocked: number;
}

export function describeWindow(w: GuardWindowView): string {
  // Overrides can take the window past its budget: "895 of 100 used" would not add up.
  if (w.used > w.limit)
    return `guard window: ${w.used} deletions in the last ${w.hours} h (earlier runs' overrides), over its budget of ${w.limit}: none left without ${MAX_DELETIONS_FLAG}`;
  return `guard window: ${w.used} of ${w.limit} deletions used in the last ${w.hours} h`;
}

/**
 * Deletions beyond `remaining` (what the window's budget still allows, plus a one-run override)
 * become `blocked` (windowBlocked): they are queued as BLOCKED tasks, kept for an explicit
 * release. A QuickSight user reachable twice counts once.
 */
export function applyWindow(
  decisions: readonly Decision[],
  remaining: number,
  window: Omit<GuardWindowView, 'blocked'>,
): { decisions: Decision[]; blocked: number } {
  const allowed = new Set<string>();
  const refused = new Set<string>();
  const out = decisions.map((d) => {
    const key = guardedWriteKey(d);
    if (key === undefined) return d;
    if (allowed.has(key)) return d;
    if (!refused.has(key) && allowed.size < remaining) {
      allowed.add(key);
      return d;
    }
    refused.add(key);
    return {
      ...d,
      decision: 'blocked' as const,
      windowBlocked: true,
      reason: `${describeWindow({ ...window, blocked: 0 })}: budget spent, queued BLOCKED (release: ${releaseCommand()}); was: ${d.reason}`,
    };
  });
  return { decisions: out, blocked: refused.size };
}

/**
 * The guard per QuickSight account (IDSYNC_QUICKSIGHT_ACCOUNTS with more than one account),
 * applied after the guard over all accounts together (`evaluateGuard` above) let the plan
 * through: IDSYNC_MAX_DELETIONS and IDSYNC_MAX_DELETION_PERCENT apply again to each account's
 * own guarded writes and its own QuickSight users (every namespace of the account together).
 * An account over either limit has all its guarded writes held (`blocked`, `accountHeld`: queued
 * as BLOCKED tasks with the guard's reason naming the account, released like any guard-held
 * task); the other accounts' proceed. `--max-deletions N` replaces both limits per account as it
 * does in total. The count limit can only trip per account where it trips in total too; the
 * percentage is what tells a small account losing many of its seats from a large one.
 */

export interface AccountGuardInput {
  /** IDSYNC_QUICKSIGHT_ACCOUNT_ID: the account of rows without a scope or with a bare namespace. */
  readonly homeAccountId: string;
  readonly decisions: readonly Decision[];
  readonly quickSightUsers: readonly QuickSightUser[];
  readonly maxDeletions: number;
  readonly maxDeletionPercent: number;
  readonly override?: GuardOverride;
}

export interface AccountGuardResult {
  readonly decisions: readonly Decision[];
  /** Accounts over their own limits, in account order. */
  readonly heldAccounts: readonly string[];
  /** Each held account's reasons, prefixed `QuickSight account <id>: `. */
  readonly reasons: readonly string[];
}

export function applyAccountGuards(input: AccountGuardInput): AccountGuardResult {
  const accountOf = (scope: string | undefined) => accountOfScopeKey(input.homeAccountId, scope);
  const users = new Map<string, number>();
  for (const u of input.quickSightUsers)
    users.set(accountOf(u.scope), (users.get(accountOf(u.scope)) ?? 0) + 1);
  if (users.size <= 1) return { decisions: [...input.decisions], heldAccounts: [], reasons: [] };
  const writes = new Map<string, Decision[]>();
  const seen = new Set<string>();
  for (const d of input.decisions) {
    const key = guardedWriteKey(d);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    const account = accountOf(d.quickSightUser?.scope);
    const list = writes.get(account);
    if (list) list.push(d);
    else writes.set(account, [d]);
  }
  const held = new Map<string, string[]>();
  for (const [account, targets] of [...writes.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const guard = evaluateGuard({
      deletions: targets.length,
      kinds: countGuardedWrites(targets),
      quickSightUserCount: users.get(account) ?? 0,
      maxDeletions: input.maxDeletions,
      maxDeletionPercent: input.maxDeletionPercent,
      ...(input.override ? { override: input.override } : {}),
      emptiedGroups: [],
    });
    if (guard.tripped)
      held.set(
        account,
        guard.reasons.map((r) => `QuickSight account ${account}: ${r}`),
      );
  }
  if (held.size === 0) return { decisions: [...input.decisions], heldAccounts: [], reasons: [] };
  const decisions = input.decisions.map((d) => {
    const reasons = held.get(accountOf(d.quickSightUser?.scope));
    if (!reasons || !isGuardedChange(d)) return d;
    return {
      ...d,
      decision: 'blocked' as const,
      accountHeld: true,
      reason: `${GUARD_TRIPPED_PREFIX}${reasons.join('; ')}; was: ${d.reason}`,
    };
  });
  return { decisions, heldAccounts: [...held.keys()], reasons: [...held.values()].flat() };
}
