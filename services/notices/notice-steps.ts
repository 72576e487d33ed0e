import { activityKey } from '../../shared/activity-record.js';
import type { IdleUser } from '../../shared/idle-selection.js';
import { type NoticeRecord, noticeAllowsDeletion } from '../../shared/notice-rule.js';
import { scopeKeyOf } from '../../shared/quicksight-scopes.js';

/**
 * What happens to each idle user of an `idsync inactive` run when notices are on (pure): its
 * notice is the one keyed like its activity record (`activityKey(scope key, userName)`, so a
 * same-named user of another QuickSight account or namespace has its own), and the notice rule (shared/notice-rule.ts `noticeAllowsDeletion`) on the user's current notice and
 * newest activity.
 *
 * - `delete`: noticed at least the notice days ago, idle since → planned for deletion;
 * - `notify`: no notice, or the last one closed by activity (then `closeFirst` when it is still
 *   recorded as sent) → sent one now (with --apply), not deleted in this run;
 * - `wait`: noticed less than the notice days ago → not deleted yet;
 * - `attention`: a notice that may not have been sent (`sending`) or that SES refused →
 *   not deleted until an operator resolves it; the reason names the next command.
 */

export type NoticeStepKind = 'delete' | 'notify' | 'wait' | 'attention';

export interface NoticeStep {
  readonly kind: NoticeStepKind;
  readonly user: IdleUser;
  readonly userKey: string;
  readonly notice?: NoticeRecord;
  readonly reason: string;
  /** The sent notice is closed by activity before the new one is sent. */
  readonly closeFirst?: boolean;
}

export function noticeSteps(
  idle: readonly IdleUser[],
  notices: ReadonlyMap<string, NoticeRecord>,
  /** The key of users without a `scope` (IDSYNC_QUICKSIGHT_NAMESPACE). */
  namespace: string,
  now: Date,
  noticeDays: number,
): NoticeStep[] {
  return idle.map((user): NoticeStep => {
    const userKey = activityKey(scopeKeyOf(user, namespace), user.userName);
    const notice = notices.get(userKey);
    const last = 'last' in user.verdict ? user.verdict.last?.at : undefined;
    const verdict = noticeAllowsDeletion(notice, last, now, noticeDays);
    const base = { user, userKey, ...(notice ? { notice } : {}) };
    if (verdict.allowed)
      return { ...base, kind: 'delete', reason: `noticed ${notice?.sentAt?.slice(0, 10)}` };
    switch (verdict.why) {
      case 'none':
      case 'closed':
        return { ...base, kind: 'notify', reason: verdict.reason };
      case 'active':
        return { ...base, kind: 'notify', reason: verdict.reason, closeFirst: true };
      case 'young':
        return { ...base, kind: 'wait', reason: verdict.reason };
      default:
        return { ...base, kind: 'attention', reason: verdict.reason };
    }
  });
}
