import type { Removal } from './domain.js';
import type { IdleSelection } from './idle-selection.js';

/**
 * What the notice rule (services/notices/rule-notices.ts) tells the monthly review
 * (services/review/) about its idle selection: which users may go up for approval, and which are
 * kept out this time and why. The review's handler and `idsync review` hand the port in (a job
 * imports no other job).
 */

/** An idle user the notice rule keeps out of this review (not deleted now). */
export interface NoticedUser {
  readonly userName: string;
  readonly email: string;
  /** `noticed`: sent a notice now (a dry run: would be); `waiting`: noticed earlier, not long enough ago; `attention`: a notice SES refused or may not have sent. */
  readonly state: 'noticed' | 'waiting' | 'attention';
  /** The earliest removal (ISO date) of a noticed or waiting user. */
  readonly removalFrom?: string;
  readonly reason: string;
}

/** What the notice rule decided for a review's idle selection. */
export interface NoticeJudgement {
  /** The idle users the rule lets the review put up for approval. */
  readonly removals: Removal[];
  readonly noticed: NoticedUser[];
}

/**
 * Notices to the users about to lose their seat (IDSYNC_NOTICE_FROM): with `apply` the new
 * notices are sent (durably, once per idle spell, paced); a dry run sends none and lists who
 * would get one.
 */
export interface UserNotices {
  judge(
    selection: IdleSelection,
    options: { readonly runId: string; readonly apply: boolean; readonly now: Date },
  ): Promise<NoticeJudgement>;
}
