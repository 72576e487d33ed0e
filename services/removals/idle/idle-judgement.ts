import type { Span } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { type IdleInput, type IdleVerdict, judgeIdle } from '../../../shared/idle-rule.js';
import { type KeepGroupMembers, keepGroupOf, keptReason } from './keep-groups.js';
import { idleWindowOf, withPendingEvents } from './pending-coverage.js';

/**
 * The per-user idle judgement, written once for the plan (`idsync inactive`,
 * services/removals/idle/inactive-removals.ts `selectInactive`) and for the worker's re-judge just before
 * each idle deletion (services/removals/idle/idle-recheck.ts `recheckIdle`). Pure. In order:
 *
 * 1. keep groups (services/removals/idle/keep-groups.ts): a user whose person is a member of a keep group
 *    (IDSYNC_INACTIVE_KEEP_GROUPS) is `kept`, never idle, whatever the activity record says;
 * 2. the idle rule on the activity record (shared/idle-rule.ts `judgeIdle`: role, coverage and
 *    its freshness, last activity, creation evidence);
 * 3. pending events (services/removals/idle/pending-coverage.ts): an otherwise idle user is `uncovered` while a
 *    pending on-behalf-of item has an event inside its N-day window and the user is not
 *    positively someone else.
 *
 * Whether the keep groups' listing can be trusted at all (keep-groups.ts
 * `keepGroupListingProblem`) is decided by the caller for the whole snapshot: the plan refuses
 * to judge (exit 3), the re-judge defers.
 */

/** The verdict of a user in a keep group: not idle, whatever the activity record says. */
export interface KeptVerdict {
  readonly idle: false;
  readonly why: 'kept';
  /** "kept: member of g@x (IDSYNC_INACTIVE_KEEP_GROUPS)". */
  readonly reason: string;
  readonly group: string;
  /** A kept user never turns idle. */
  readonly idleAfter?: undefined;
}

export type UserVerdict = IdleVerdict | KeptVerdict;

export interface UserJudgementInput extends IdleInput {
  /** The user as listed (the re-judge adds the task's copy): keep groups match any of their emails. */
  readonly users: readonly Pick<QuickSightUser, 'userName' | 'email'>[];
  /** Members of the configured keep groups (absent or empty: none configured). */
  readonly keepMembers?: KeepGroupMembers;
  /**
   * Pending events that could be this user's inside `window` (pendingEventsAgainst with what the
   * identity map says about the user); absent when nothing is pending.
   */
  readonly pendingEventsIn?: (window: Span) => number;
}

export function judgeUser(input: UserJudgementInput): UserVerdict {
  if (input.keepMembers && input.keepMembers.size > 0) {
    for (const user of input.users) {
      const group = keepGroupOf(user, input.keepMembers);
      if (group !== undefined)
        return { idle: false, why: 'kept', reason: keptReason(group), group };
    }
  }
  const verdict = judgeIdle(input);
  if (!verdict.idle || !input.pendingEventsIn) return verdict;
  return withPendingEvents(verdict, input.pendingEventsIn(idleWindowOf(verdict.asOf, input.days)));
}
