import type { Decision, QuickSightUser } from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import {
  type GroupRole,
  type GroupRoleMap,
  roleChangeKind,
  targetRoleOf,
} from '../../../shared/group-roles.js';
import { DEFAULT_PRICES, type PriceTable, priceOf } from '../../../shared/prices.js';
import { emailKeysOf, identityModeOf } from '../../../shared/quicksight-user-rules.js';
import { type Protection, protectionReason } from '../../../shared/removal-rules.js';
import { userNameProblem } from '../../../shared/value-limits.js';
import { describeUser } from './decide.js';

/**
 * Role follows group, planned (pure): for every QuickSight user whose person is in a group of
 * IDSYNC_GROUP_ROLES in the newest COMPLETE snapshot, the target role is the broadest of those
 * groups' roles (shared/group-roles.ts); a user whose role differs gets an `upgrade` or a
 * `downgrade` decision with the groups, from → to, and the monthly price difference. A protected
 * user (its role now, or the user) gets `protected` instead. IAM_IDENTITY_CENTER users take no
 * user writes: QuickSight sets their role from their IdC groups, so a difference is only noted.
 * A role outside the order (restricted, unknown) is never changed.
 */

export interface RoleChangeInput {
  readonly quickSightUsers: readonly QuickSightUser[];
  /** Normalised email → the configured groups it is in (newest COMPLETE snapshot). */
  readonly memberGroups: ReadonlyMap<string, readonly string[]>;
  readonly groupRoles: GroupRoleMap;
  readonly protection: Protection;
  readonly prices?: PriceTable;
}

export interface RoleChangePlan {
  /** `upgrade`, `downgrade` or `protected` (source `group_role`), sorted by email and user. */
  readonly decisions: readonly Decision[];
  /** IAM_IDENTITY_CENTER users whose role differs from their groups' (no call is made for them). */
  readonly notes: readonly string[];
}

export function planRoleChanges(input: RoleChangeInput): RoleChangePlan {
  const decisions: Decision[] = [];
  const notes: string[] = [];
  const prices = input.prices ?? DEFAULT_PRICES;
  for (const user of input.quickSightUsers) {
    const keys = emailKeysOf(user).filter((e) => input.memberGroups.has(e));
    const email = keys[0];
    if (email === undefined) continue;
    const target = targetRoleOf(
      keys.flatMap((e) => input.memberGroups.get(e) ?? []),
      input.groupRoles,
    );
    if (target === undefined) continue;
    const kind = roleChangeKind(user.role, target.role);
    if (kind === undefined) continue;
    const from = user.role.toUpperCase();
    const why = `${target.groups.join(', ')} → ${target.role}`;
    const mode = identityModeOf(user.identityType);
    if (mode !== 'user_writes') {
      if (mode === 'group')
        notes.push(
          `${user.userName} [${from}] of ${email}: the groups give ${target.role} (${why}); an IAM Identity Center user's role follows its IdC groups inside QuickSight, idsync makes no call`,
        );
      continue;
    }
    if (userNameProblem(user.userName) !== undefined) continue;
    const protectedBecause = protectionReason(input.protection, {
      email,
      userName: user.userName,
      role: user.role,
      ...(user.email === undefined ? {} : { userEmail: user.email }),
    });
    const difference = roleChangeMonthly(prices, from, target.role);
    decisions.push({
      email,
      source: 'group_role',
      sources: GROUP_ROLE_SOURCES,
      decision: protectedBecause === undefined ? kind : 'protected',
      reason:
        protectedBecause === undefined
          ? `${kind} ${user.userName} ${from} → ${target.role}: in ${target.groups.join(', ')} (${money(difference)}/month)`
          : `${protectedBecause}: ${kind} ${from} → ${target.role} (${why}) not made`,
      quickSightUser: describeUser(user),
      ...(protectedBecause === undefined
        ? { targetRole: target.role, monthlyChange: difference }
        : {}),
    });
  }
  decisions.sort(
    (a, b) =>
      compare(a.email, b.email) ||
      compare(a.quickSightUser?.userName ?? '', b.quickSightUser?.userName ?? ''),
  );
  return { decisions, notes: notes.sort() };
}

/**
 * The mapped groups the snapshot did not list (its manifest's configured groups): a role judged
 * without one of them could be a downgrade of everyone it grants more, so no role is changed.
 */
export function unlistedMappedGroups(
  groupRoles: GroupRoleMap,
  listed: Readonly<Record<string, number>> | undefined,
): string[] {
  const seen = new Set(Object.keys(listed ?? {}).map(normalizeEmail));
  return [...groupRoles.keys()].filter((g) => !seen.has(g)).sort();
}

const GROUP_ROLE_SOURCES = Object.freeze(['group_role'] as const);

/** What a role change does to the monthly bill (negative: a saving), in cents rounded. */
export function roleChangeMonthly(
  prices: PriceTable,
  from: string,
  to: GroupRole | string,
): number {
  return Math.round((priceOf(prices, to) - priceOf(prices, from)) * 100) / 100;
}

function money(usd: number): string {
  const sign = usd < 0 ? '-' : '+';
  return `${sign}$${Math.abs(usd).toFixed(2).replace(/\.00$/, '')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
