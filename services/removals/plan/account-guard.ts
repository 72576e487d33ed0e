import type { Decision, QuickSightUser } from '../../../shared/domain.js';
import { GUARD_TRIPPED_PREFIX } from '../../../shared/held-work.js';
import { accountOfScopeKey } from '../../../shared/quicksight-scopes.js';
import {
  countGuardedWrites,
  evaluateGuard,
  type GuardOverride,
  guardedWriteKey,
  isGuardedChange,
} from './guard.js';

/**
 * The guard per QuickSight account (IDSYNC_QUICKSIGHT_ACCOUNTS with more than one account),
 * applied after the guard over all accounts together (./guard.ts, `evaluateGuard`) let the plan
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
