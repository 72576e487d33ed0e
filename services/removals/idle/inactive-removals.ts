import {
  type ActivityRecord,
  activityKey,
  activityUserName,
  type Span,
} from '../../../shared/activity-record.js';
import { authorDowngradeOf, DOWNGRADED_AUTHOR_ROLES } from '../../../shared/authoring.js';
import type { QuickSightUser, Removal } from '../../../shared/domain.js';
import { coveredWindow, idleBefore } from '../../../shared/idle-rule.js';
import { scopeKeyOf } from '../../../shared/quicksight-scopes.js';
import {
  allowsUserWrites,
  emailKeysOf,
  emailOfUserName,
  isManaged,
} from '../../../shared/quicksight-user-rules.js';
import { judgeUser, type KeptVerdict, type UserVerdict } from './idle-judgement.js';
import type { KeepGroupMembers } from './keep-groups.js';

/**
 * The idle users of the newest COMPLETE snapshot, as per-user removals with source `inactive`
 * for the plan (services/removals/plan/run-plan.ts `extraRemovals`), and every judged user's verdict for
 * the report and `--warn-days`. Pure: the shell (run-inactive.ts) reads the record and snapshots.
 *
 * Only users idsync manages are judged (shared/quicksight-user-rules.ts `isManaged`: their person was seen as a
 * member of a configured group, or their user name starts with IDSYNC_MANAGED_USERNAME_PREFIX). Users are keyed
 * as the activity record keys them (`activityUserName`: `N/A` users by their principal id).
 * Each user is judged by services/removals/idle/idle-judgement.ts `judgeUser` (keep groups, the idle rule,
 * pending events), the judgement the worker applies again just before each idle deletion: a
 * judged user whose person is in a keep group (IDSYNC_INACTIVE_KEEP_GROUPS) is `kept`, never
 * idle, whatever the record says.
 */

export interface InactiveInput {
  /** The key of users without a `scope` (IDSYNC_QUICKSIGHT_NAMESPACE). */
  readonly namespace: string;
  readonly quickSightUsers: readonly QuickSightUser[];
  /** Activity records by `activityKey(scope key, userName)` (`scopeKeyOf`). */
  readonly records: ReadonlyMap<string, ActivityRecord>;
  /** The account-wide CloudTrail coverage of the record, when any. */
  readonly cloudtrail?: Span;
  /**
   * With several QuickSight accounts: the CloudTrail coverage of each scope's account, by scope
   * key. A user judges by its own account's coverage (a scope missing here has none: its users
   * are never idle); without it, every user by `cloudtrail`.
   */
  readonly cloudtrailOfScope?: ReadonlyMap<string, Span>;
  /** By `activityKey(scope key, userName)`: the start of the first snapshot listing it after one that did not. */
  readonly firstListed: ReadonlyMap<string, string>;
  /** Normalised emails of everyone the membership ledger knows. */
  readonly managedPeople: ReadonlySet<string>;
  readonly managedUsernamePrefix?: string;
  readonly days: number;
  readonly roles: readonly string[];
  readonly now: Date;
  /** Also list users who turn idle within this many days. */
  readonly warnDays?: number;
  /** Members of the keep groups in the snapshot (IDSYNC_INACTIVE_KEEP_GROUPS). */
  readonly keepMembers?: KeepGroupMembers;
  /**
   * Pending events (of IdC users the identity map does not know yet) that could be this user's
   * inside the window (services/removals/idle/pending-coverage.ts); more than 0 makes an idle verdict
   * "uncovered".
   */
  readonly pendingEventsOf?: (user: QuickSightUser, window: Span) => number;
  /** IDSYNC_ACTIVITY_MAX_LAG_HOURS in ms (see judgeIdle). */
  readonly maxLagMs?: number;
  /**
   * `--downgrade-authors`: judge the Authors (AUTHOR, AUTHOR_PRO; `roles` is not used) by their
   * newest *authoring* event (shared/authoring.ts) instead of any activity, and make each idle
   * one a downgrade to Reader (Reader Pro), never a deletion. Only users QuickSight lets idsync
   * write (IAM, QUICKSIGHT) are judged.
   */
  readonly downgradeAuthors?: boolean;
}

export type { KeptVerdict };

export type SelectionVerdict = UserVerdict;

export interface JudgedUser {
  readonly email: string;
  /** `activityUserName(user)`: the user name, or `N/A#<principalId>`. */
  readonly userName: string;
  readonly role: string;
  /** The user's scope key (`QuickSightUser.scope`); absent: the home namespace. */
  readonly scope?: string;
  readonly verdict: SelectionVerdict;
}

export interface InactiveSelection {
  readonly removals: Removal[];
  /** Idle users (the removals' users), with their verdicts. */
  readonly idle: JudgedUser[];
  /** Users not idle today who turn idle within `warnDays` (empty without it). */
  readonly idleSoon: JudgedUser[];
  /** Users kept as members of a keep group (verdict `kept`). */
  readonly kept: JudgedUser[];
  readonly counts: {
    /** Users of an idle role that idsync manages: idle + active + created + uncovered + kept. */
    readonly judged: number;
    readonly idle: number;
    readonly active: number;
    readonly created: number;
    readonly uncovered: number;
    /** Members of a keep group: never idle. */
    readonly kept: number;
    /** Judged users whose record covers the N days (CloudTrail, or joined with their import). */
    readonly covered: number;
    /** Users of an idle role that idsync does not manage (never touched). */
    readonly unmanaged: number;
  };
}

/** The CloudTrail coverage a user is judged by: its account's (see `cloudtrailOfScope`). */
function cloudtrailOf(input: InactiveInput, scopeKey: string): Span | undefined {
  return input.cloudtrailOfScope ? input.cloudtrailOfScope.get(scopeKey) : input.cloudtrail;
}

export function selectInactive(input: InactiveInput): InactiveSelection {
  const downgrade = input.downgradeAuthors === true;
  const roles = new Set(
    (downgrade ? DOWNGRADED_AUTHOR_ROLES : input.roles).map((r) => r.toUpperCase()),
  );
  const idle: JudgedUser[] = [];
  const idleSoon: JudgedUser[] = [];
  const kept: JudgedUser[] = [];
  const counts = {
    judged: 0,
    idle: 0,
    active: 0,
    created: 0,
    uncovered: 0,
    kept: 0,
    covered: 0,
    unmanaged: 0,
  };
  const warnUntil =
    input.warnDays === undefined
      ? undefined
      : new Date(input.now.getTime() + input.warnDays * 86_400_000);
  for (const user of input.quickSightUsers) {
    if (!roles.has(user.role.toUpperCase())) continue;
    if (downgrade && !allowsUserWrites(user.identityType)) continue;
    const email = emailOfUserName(user.userName) ?? emailKeysOf(user)[0];
    const managed = isManaged(user, {
      people: input.managedPeople,
      usernamePrefix: input.managedUsernamePrefix,
    });
    if (email === undefined || !managed) {
      counts.unmanaged++;
      continue;
    }
    counts.judged++;
    const name = activityUserName(user);
    const scopeKey = scopeKeyOf(user, input.namespace);
    const key = activityKey(scopeKey, name);
    const record = input.records.get(key);
    const cloudtrail = cloudtrailOf(input, scopeKey);
    const coverage = [
      ...(cloudtrail ? [cloudtrail] : []),
      ...(record?.spans.import ? [record.spans.import] : []),
    ];
    if (coveredWindow(coverage, input.days, input.now, input.maxLagMs).ok) counts.covered++;
    const firstListedAt = input.firstListed.get(key);
    const { pendingEventsOf } = input;
    const verdict = judgeUser({
      users: [user],
      ...(input.keepMembers ? { keepMembers: input.keepMembers } : {}),
      role: user.role,
      idleRoles: roles,
      days: input.days,
      now: input.now,
      coverage,
      ...(downgrade
        ? record?.authored
          ? { last: record.authored }
          : {}
        : record?.last
          ? { last: record.last }
          : {}),
      ...(record?.created ? { createdAt: record.created.at } : {}),
      ...(firstListedAt ? { firstListedAt } : {}),
      ...(input.maxLagMs === undefined ? {} : { maxLagMs: input.maxLagMs }),
      ...(pendingEventsOf ? { pendingEventsIn: (window) => pendingEventsOf(user, window) } : {}),
    });
    const judged: JudgedUser = {
      email,
      userName: name,
      role: user.role,
      ...(user.scope !== undefined ? { scope: user.scope } : {}),
      verdict,
    };
    if (verdict.idle === false && verdict.why === 'kept') {
      counts.kept++;
      kept.push(judged);
      continue;
    }
    if (verdict.idle) {
      counts.idle++;
      idle.push(judged);
      continue;
    }
    if (verdict.why === 'active') counts.active++;
    else if (verdict.why === 'created') counts.created++;
    else if (verdict.why === 'uncovered') counts.uncovered++;
    if (warnUntil && idleBefore(verdict, warnUntil)) idleSoon.push(judged);
  }
  idleSoon.sort((a, b) =>
    a.verdict.idle || b.verdict.idle
      ? 0
      : (a.verdict.idleAfter ?? '').localeCompare(b.verdict.idleAfter ?? ''),
  );
  const removals = idle.map((u): Removal => {
    const targetRole = downgrade ? authorDowngradeOf(u.role) : undefined;
    return {
      email: u.email,
      source: 'inactive',
      userName: u.userName,
      detail: targetRole ? `no authoring: ${u.verdict.reason}` : u.verdict.reason,
      // The worker judges the user again with the same N days just before the call.
      idleDays: input.days,
      ...(targetRole ? { targetRole } : {}),
    };
  });
  return { removals, idle, idleSoon, kept, counts };
}
