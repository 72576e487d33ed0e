import { COALESCE_MS } from './activity-record.js';
import { DAY_MS } from './idle-rule.js';

/**
 * The notice rule, written once for the plan (`idsync inactive`, services/notices/notice-steps.ts)
 * and for the worker's re-judge just before each idle deletion (services/removals/idle/idle-recheck.ts):
 * when notices are on (IDSYNC_NOTICE_FROM), an idle user may be deleted only when a notice was
 * sent to them at least IDSYNC_NOTICE_DAYS ago and they stayed idle since. Pure.
 *
 * - no notice, or one closed by activity → not yet (the user gets a notice first);
 * - `sending`: the send was recorded before the SES call but its outcome never was (a crash or
 *   an unanswered call): the user may not have been told → not deleted until an operator
 *   resolves it (`idsync notices resolve`);
 * - `refused`: SES refused the address → not deleted, needs attention;
 * - `sent`, with activity since the notice (the stored newest activity counted COALESCE_MS
 *   later, as the idle rule counts it: in doubt, active) → not deleted, the notice is closed;
 * - `sent` less than the notice days ago → not yet;
 * - `sent` at least the notice days ago, no activity since → may be deleted.
 */

export type NoticeState = 'sending' | 'sent' | 'refused' | 'closed';

/** One user's current notice (services/notices/notice-store.ts keeps one per user). */
export interface NoticeRecord {
  /** `activityKey(namespace, activityUserName(user))`: the activity record's key. */
  readonly userKey: string;
  /** Unique per idle spell: a new spell's notice replaces the record only under this id. */
  readonly noticeId: string;
  readonly email: string;
  readonly userName: string;
  readonly state: NoticeState;
  /** When the before-record was written (the send was about to be made). */
  readonly startedAt: string;
  /** When SES accepted the message. */
  readonly sentAt?: string;
  readonly messageId?: string;
  /** Why SES refused the address, or why the notice was closed. */
  readonly reason?: string;
  /** The last activity the notice told the user about (absent: none recorded). */
  readonly lastActive?: string;
  /** The removal date the notice announced. */
  readonly removalAfter?: string;
  readonly closedAt?: string;
}

export type NoticeVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly why: 'none' | 'closed' | 'sending' | 'refused' | 'active' | 'young';
      readonly reason: string;
    };

/** The command that settles a `sending` notice (printed wherever one is shown). */
export function resolveNoticeCommand(userName: string): string {
  return `idsync notices resolve ${userName} --sent (if the user received it) or --resend`;
}

/** Whether an idle user's notice lets the deletion go ahead now. */
export function noticeAllowsDeletion(
  notice: Pick<NoticeRecord, 'state' | 'sentAt' | 'reason' | 'userName'> | undefined,
  lastActiveAt: string | undefined,
  now: Date,
  noticeDays: number,
): NoticeVerdict {
  if (!notice) return { allowed: false, why: 'none', reason: 'no notice sent yet' };
  switch (notice.state) {
    case 'closed':
      return { allowed: false, why: 'closed', reason: 'the last notice was closed by activity' };
    case 'sending':
      return {
        allowed: false,
        why: 'sending',
        reason: `the notice may not have been sent (no answer from SES was recorded): ${resolveNoticeCommand(notice.userName)}`,
      };
    case 'refused':
      return {
        allowed: false,
        why: 'refused',
        reason: `SES refused the notice (${notice.reason ?? 'no reason'}): the user was not told`,
      };
  }
  const sentMs = Date.parse(notice.sentAt ?? '');
  if (!Number.isFinite(sentMs))
    return {
      allowed: false,
      why: 'sending',
      reason: `the notice has no send time: ${resolveNoticeCommand(notice.userName)}`,
    };
  const lastMs = lastActiveAt === undefined ? Number.NaN : Date.parse(lastActiveAt);
  if (Number.isFinite(lastMs) && lastMs + COALESCE_MS >= sentMs)
    return {
      allowed: false,
      why: 'active',
      reason: `active since the notice of ${notice.sentAt?.slice(0, 10)}`,
    };
  if (now.getTime() - sentMs < noticeDays * DAY_MS)
    return {
      allowed: false,
      why: 'young',
      reason: `notice sent ${notice.sentAt?.slice(0, 10)}: removal not before ${removalDate(notice.sentAt ?? '', noticeDays)}`,
    };
  return { allowed: true };
}

/** The earliest removal of a user noticed at `sentAt` (ISO), as an ISO time. */
export function removalDate(sentAt: string, noticeDays: number): string {
  const ms = Date.parse(sentAt);
  return Number.isFinite(ms) ? new Date(ms + noticeDays * DAY_MS).toISOString() : sentAt;
}
