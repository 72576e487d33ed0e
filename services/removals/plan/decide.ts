import { activityUserName } from '../../../shared/activity-record.js';
import type {
  DecidedQuickSightUser,
  Decision,
  DecisionKind,
  QuickSightUser,
  RemovalSource,
} from '../../../shared/domain.js';
import { normalizeEmail } from '../../../shared/email.js';
import {
  emailKeysOf,
  identityModeDecision,
  leaveGroupDecisions,
  userWriteRefusal,
} from '../../../shared/quicksight-user-rules.js';
import {
  EVENT_TIME_PRECISION_MS,
  isObservedAfter,
  membershipVetoes,
  type Protection,
  protectionReason,
} from '../../../shared/removal-rules.js';
import { userNameProblem } from '../../../shared/value-limits.js';

/** Several removals of one person, collapsed. */
export interface PersonRemoval {
  readonly email: string;
  readonly sources: readonly RemovalSource[];
  readonly userId?: string;
  /** Each removal's detail, in source order. */
  readonly details: readonly string[];
  /** Latest `since` of the removals, when any carries one. */
  readonly since?: string;
  /** Set only when every removal of the person was limited to this user-name prefix. */
  readonly userNamePrefix?: string;
  /**
   * Set only when every removal of the person named one QuickSight user: those users (normalised
   * user name → that removal's detail), and no other user of the person is meant.
   */
  readonly userNames?: ReadonlyMap<string, string>;
  /** Any removal of the person asked to keep current members. */
  readonly keepMembers?: boolean;
  /** The largest N days of the person's `inactive` removals. */
  readonly idleDays?: number;
  /** Normalised user name → the role a removal asks the user changed to instead of deleted. */
  readonly targetRoles?: ReadonlyMap<string, string>;
}

export interface DecideInput {
  readonly person: PersonRemoval;
  /** The person's QuickSight users (already matched). */
  readonly matches: readonly QuickSightUser[];
  /** Normalised emails listed in any configured group in the newest COMPLETE snapshot. */
  readonly currentMembers: ReadonlySet<string>;
  /** ISO time of that snapshot; membership older than a removal's `since` does not count as re-joining. */
  readonly currentMembersAsOf?: string;
  /** Normalised email → the configured groups it is in (newest COMPLETE snapshot), sorted. */
  readonly memberGroups?: ReadonlyMap<string, readonly string[]>;
  readonly protection: Protection;
  /** Removals younger than this (from `since` to `now`) are deferred. */
  readonly gracePeriodMs?: number;
  readonly now?: Date;
  /**
   * IDSYNC_GOOGLE_GROUP_WRITE=on: an idle IAM_IDENTITY_CENTER user still in configured groups
   * gets a `leave_group` decision per group (shared/quicksight-user-rules.ts, `leaveGroupDecisions`).
   */
  readonly groupWrite?: boolean;
}

/** The decisions of one person: one per matched QuickSight user, or one `not_found`. */
export function decide(input: DecideInput): Decision[] {
  const { person } = input;
  const base: DecisionBase = {
    email: person.email,
    source: person.sources[0] ?? 'csv',
    sources: person.sources,
    userId: person.userId,
    keepMembers: person.keepMembers === true ? true : undefined,
    idleDays: person.sources[0] === 'inactive' ? person.idleDays : undefined,
  };
  const targets = person.userNames;
  const matches = input.matches.filter(
    (u) =>
      (person.userNamePrefix === undefined || u.userName.startsWith(person.userNamePrefix)) &&
      (targets === undefined || targets.has(normalizeEmail(activityUserName(u)))),
  );
  if (matches.length === 0) {
    const what = targets ? `QuickSight user ${[...targets.keys()].join(', ')}` : 'QuickSight user';
    return [
      newDecision(
        base,
        'not_found',
        flat(['no ', what, ' for ', person.email, '; ', describeSources(person)]),
      ),
    ];
  }
  return matches.flatMap((user) => {
    const targetRole = person.targetRoles?.get(normalizeEmail(activityUserName(user)));
    if (targetRole !== undefined) return [decideDowngrade(input, base, user, targetRole)];
    const [planned, plannedReason, member] = decideOne(input, user);
    const mode =
      planned === 'delete' ? identityModeDecision(identityModeInput(input, user)) : undefined;
    const decision = mode?.decision ?? planned;
    const reason = mode?.reason ?? plannedReason;
    const detail = targets?.get(normalizeEmail(activityUserName(user)));
    const why = describeSources(detail === undefined ? person : { ...person, details: [detail] });
    const leaving =
      mode === undefined
        ? []
        : leaveGroupDecisions(mode, {
            groupWrite: input.groupWrite === true,
            idle: person.sources[0] === 'inactive',
            email: person.email,
          });
    if (leaving.length > 0)
      return leaving.map((leave) =>
        newDecision(base, 'leave_group', flat([leave.reason, '; ', why]), {
          quickSightUser: describeUser(user),
          detail: detail || undefined,
          group: leave.group,
        }),
      );
    return [
      newDecision(base, decision, flat([reason, '; ', why]), {
        quickSightUser: describeUser(user),
        detail: detail || undefined,
        member: member && mode === undefined ? true : undefined,
        seatEndsOn: mode?.seatEndsOn,
        leaveGroups: mode?.leaveGroups,
      }),
    ];
  });
}

/**
 * A removal that asks for a downgrade instead of a deletion (`inactive --downgrade-authors`):
 * `downgrade` to the target role, or `protected` / `invalid` as a deletion would be; a user
 * QuickSight does not let idsync write is never changed (`invalid`, not queued).
 */
function decideDowngrade(
  input: DecideInput,
  base: DecisionBase,
  user: QuickSightUser,
  targetRole: string,
): Decision {
  const [planned, plannedReason] = decideOne(input, user);
  const why = describeSources(input.person);
  const refusal = userWriteRefusal(user.identityType);
  const [kind, reason]: [DecisionKind, string] =
    planned !== 'delete'
      ? [planned, plannedReason]
      : refusal !== undefined
        ? ['invalid', `${refusal}; not queued`]
        : [
            'downgrade',
            `${user.role.toUpperCase()} user ${user.userName} has not authored: downgrade to ${targetRole}`,
          ];
  const d = newDecision(base, kind, flat([reason, '; ', why]), {
    quickSightUser: describeUser(user),
  });
  return kind === 'downgrade' ? { ...d, targetRole } : d;
}

/** What every decision of one person shares; undefined fields are left out of the decision. */
interface DecisionBase {
  readonly email: string;
  readonly source: RemovalSource;
  readonly sources: readonly RemovalSource[];
  readonly userId: string | undefined;
  readonly keepMembers: true | undefined;
  readonly idleDays: number | undefined;
}

/**
 * A decision built key by key in one fixed order (email, source, sources, userId, keepMembers,
 * idleDays, decision, reason, quickSightUser, detail, member), absent fields left out. A plan of
 * 300,000 CSV rows holds 300,000 decisions: built by object spreads each took about 410 bytes
 * more (BENCHMARKS.md, "Large CSV inputs").
 */
function newDecision(
  base: DecisionBase,
  decision: DecisionKind,
  reason: string,
  more: {
    readonly quickSightUser?: DecidedQuickSightUser;
    readonly detail?: string | undefined;
    readonly member?: true | undefined;
    readonly seatEndsOn?: string | undefined;
    readonly leaveGroups?: readonly string[] | undefined;
    readonly group?: string | undefined;
  } = {},
): Decision {
  const d: { -readonly [K in keyof Decision]?: Decision[K] } = {
    email: base.email,
    source: base.source,
    sources: base.sources,
  };
  if (base.userId !== undefined) d.userId = base.userId;
  if (base.keepMembers !== undefined) d.keepMembers = base.keepMembers;
  if (base.idleDays !== undefined) d.idleDays = base.idleDays;
  d.decision = decision;
  d.reason = reason;
  if (more.quickSightUser !== undefined) d.quickSightUser = more.quickSightUser;
  if (more.detail !== undefined) d.detail = more.detail;
  if (more.member !== undefined) d.member = more.member;
  if (more.seatEndsOn !== undefined) d.seatEndsOn = more.seatEndsOn;
  if (more.leaveGroups !== undefined) d.leaveGroups = more.leaveGroups;
  if (more.group !== undefined) d.group = more.group;
  return d as Decision;
}

/**
 * The parts as one flat string: a template literal keeps its parts as a tree of pieces (about
 * 250 bytes for a `not_found` reason), a join copies them into one string.
 */
function flat(parts: readonly string[]): string {
  return parts.join('');
}

/**
 * Whether a person's membership in a configured group keeps their users (defers the deletion,
 * and vetoes a queued task in the worker): for leavers and DeleteUser events (the person re-
 * joined) and for CSV removals with `--keep-members`; never for idle users (members by
 * definition) nor for a plain CSV (the operator listed them). See shared/removal-rules.ts.
 */
function membershipKeeps(person: PersonRemoval): boolean {
  return person.sources.some((s) => membershipVetoes(s, person.keepMembers === true));
}

function decideOne(
  input: DecideInput,
  user: QuickSightUser,
): [DecisionKind, string, member?: boolean] {
  const { person, protection } = input;
  const role = user.role.toUpperCase();
  const badName = userNameProblem(user.userName);
  if (badName !== undefined) return ['invalid', `${badName}; not queued`];
  const protectedBecause = protectionReason(protection, {
    email: person.email,
    userName: user.userName,
    role: user.role,
    ...(user.email === undefined ? {} : { userEmail: user.email }),
  });
  if (protectedBecause !== undefined) return ['protected', protectedBecause];
  const member = emailKeysOf(user)
    .concat(person.email)
    .find((email) => isCurrentMember(input, email));
  if (member !== undefined && membershipKeeps(person)) {
    const kept = person.sources.every((s) => s === 'csv' || s === 'inactive');
    if (kept) {
      return member === person.email
        ? ['deferred', `${person.email} is still in a configured group (--keep-members)`]
        : [
            'deferred',
            `this user also belongs to ${member}, who is still in a configured group (--keep-members)`,
          ];
    }
    return member === person.email
      ? ['deferred', `${person.email} is in a configured group in the newest snapshot (re-joined)`]
      : ['deferred', `this user also belongs to ${member}, who is in a configured group`];
  }
  const graceEnds = graceEnd(input);
  if (graceEnds !== undefined) {
    return ['deferred', `inside the grace period until ${graceEnds}`];
  }
  const primary = person.sources[0];
  if (primary === 'inactive') return ['delete', `${role} user ${user.userName} is idle`, !!member];
  if (primary === 'csv') {
    return member === undefined
      ? ['delete', `${role} user ${user.userName} is listed in the CSV`]
      : [
          'delete',
          `${role} user ${user.userName} is listed in the CSV and ${member} is still in a configured group: deleted as listed (re-created at their next sign-in)`,
          true,
        ];
  }
  return ['delete', `${role} user ${user.userName} belongs to a leaver`];
}

/**
 * What the identity-mode rule needs: the configured groups the person (or another email of the
 * user) is in now, and when the person left (the removal's `since`, else the plan's time).
 */
function identityModeInput(input: DecideInput, user: QuickSightUser) {
  const groups = new Set<string>();
  let member = false;
  for (const email of [input.person.email, ...emailKeysOf(user)])
    if (isCurrentMember(input, email)) {
      member = true;
      for (const g of input.memberGroups?.get(email) ?? []) groups.add(g);
    }
  const left = input.person.since ?? input.now?.toISOString() ?? input.currentMembersAsOf;
  return {
    user,
    email: input.person.email,
    member,
    groups: [...groups].sort(),
    leftAt: left === undefined ? undefined : new Date(left),
  };
}

/** Membership counts only when the snapshot was taken after the person's removal. */
function isCurrentMember(input: DecideInput, email: string): boolean {
  if (!input.currentMembers.has(email)) return false;
  const { since } = input.person;
  if (since === undefined || input.currentMembersAsOf === undefined) return true;
  return isObservedAfter(input.currentMembersAsOf, since, EVENT_TIME_PRECISION_MS);
}

function graceEnd(input: DecideInput): string | undefined {
  const { gracePeriodMs, now } = input;
  const { since } = input.person;
  if (!gracePeriodMs || since === undefined || now === undefined) return undefined;
  const end = Date.parse(since) + gracePeriodMs;
  if (Number.isNaN(end) || now.getTime() >= end) return undefined;
  return new Date(end).toISOString();
}

function describeSources(person: PersonRemoval): string {
  const names = person.sources.map((s) => SOURCE_WORDS[s]).join(' and ');
  const details = person.details.length > 0 ? ` (${person.details.join('; ')})` : '';
  return `named by ${names}${details}`;
}

const SOURCE_WORDS: Record<RemovalSource, string> = {
  group_removal: 'group removal',
  deleted_event: 'IdC DeleteUser event',
  csv: 'CSV',
  inactive: 'idle rule',
  group_role: 'group role',
};

/** The QuickSight user a decision is about, as audit rows and tasks carry it. */
export function describeUser(user: QuickSightUser): DecidedQuickSightUser {
  return {
    userName: user.userName,
    arn: user.arn,
    role: user.role,
    identityType: user.identityType,
    ...(user.principalId === undefined ? {} : { principalId: user.principalId }),
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.scope === undefined ? {} : { scope: user.scope }),
  };
}
