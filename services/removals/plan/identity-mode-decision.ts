import type { DecisionKind, QuickSightUser } from '../../../shared/domain.js';
import { identityModeOf, seatEndsOn, userWriteRefusal } from '../../../shared/identity-modes.js';

/**
 * The identity-mode rule of a planned deletion (shared/identity-modes.ts): an IAM or QUICKSIGHT
 * user is deleted as planned; an IAM_IDENTITY_CENTER user never is. Its seat ends with the group
 * (`ends_with_group`): with the day QuickSight removes it when the person is in no configured
 * group any more (a leaver), or with the groups the operator must take the person out of (an
 * idle user, a CSV-listed member). Any other identity type is never deleted and is flagged
 * (`invalid`). Pure.
 */

export interface IdentityModeInput {
  readonly user: Pick<QuickSightUser, 'userName' | 'identityType' | 'role'>;
  /** Normalised email of the person. */
  readonly email: string;
  /** Whether the person (or another email of the user) is in a configured group now. */
  readonly member: boolean;
  /** The configured groups they are in (newest COMPLETE snapshot), sorted; empty when not known. */
  readonly groups: readonly string[];
  /** When the person left (the removal's `since`), else the plan's time. */
  readonly leftAt: Date | undefined;
}

export interface IdentityModeOutcome {
  readonly decision: DecisionKind;
  readonly reason: string;
  readonly seatEndsOn?: string;
  readonly leaveGroups?: readonly string[];
}

/** Undefined: the planned deletion stands (IAM, QUICKSIGHT). */
export function identityModeDecision(input: IdentityModeInput): IdentityModeOutcome | undefined {
  const { user, email, groups, member } = input;
  const mode = identityModeOf(user.identityType);
  if (mode === 'user_writes') return undefined;
  const who = `${user.role.toUpperCase()} user ${user.userName}`;
  if (mode === 'unknown')
    return { decision: 'invalid', reason: `${who}: ${userWriteRefusal(user.identityType)}` };
  if (member)
    return {
      decision: 'ends_with_group',
      reason: `${who} is IAM_IDENTITY_CENTER: remove ${email} from ${groups.length > 0 ? groups.join(', ') : 'the configured groups'} (QuickSight refuses DeleteUser for it and removes the seat on the 1st of the month after)`,
      ...(groups.length > 0 ? { leaveGroups: groups } : {}),
    };
  const day = input.leftAt ? seatEndsOn(input.leftAt) : undefined;
  return {
    decision: 'ends_with_group',
    reason: `${who} is IAM_IDENTITY_CENTER: the seat ends with the group${day ? `; QuickSight removes it on ${day}` : ''} (no API call)`,
    ...(day ? { seatEndsOn: day } : {}),
  };
}

/**
 * The groups an `ends_with_group` seat is ended through by idsync itself: with
 * IDSYNC_GOOGLE_GROUP_WRITE=on, an idle user (the idle selection named it) still in configured
 * groups is taken out of each of them (Directory API `members.delete`), one `leave_group`
 * decision per group. Off, a CSV-listed member, or a leaver (in no group: nothing to call): none,
 * and the `ends_with_group` decision stands (listed for the operator, or the seat ends by itself).
 */
export function leaveGroupDecisions(
  outcome: IdentityModeOutcome,
  context: { readonly groupWrite: boolean; readonly idle: boolean; readonly email: string },
): { readonly group: string; readonly reason: string }[] {
  if (!context.groupWrite || !context.idle || outcome.decision !== 'ends_with_group') return [];
  return (outcome.leaveGroups ?? []).map((group) => ({
    group,
    reason: `IAM_IDENTITY_CENTER user is idle: ${context.email} is taken out of Google group ${group} (IDSYNC_GOOGLE_GROUP_WRITE=on; QuickSight then lists the user inactive and removes the seat on the 1st of the month after)`,
  }));
}
