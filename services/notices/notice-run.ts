import type { Config } from '../../shared/config/index.js';
import type { Removal } from '../../shared/domain.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { normalizeEmail } from '../../shared/email.js';
import type { IdleSelection, IdleUser } from '../../shared/idle-selection.js';
import { type NoticeRecord, noticeAllowsDeletion } from '../../shared/notice-rule.js';
import { buildProtection, protectionReason } from '../../shared/removal-rules.js';
import { type NoticeStep, noticeSteps } from './notice-steps.js';
import type { NoticeStore } from './notice-store.js';
import type { NoticeTemplates } from './notice-template.js';
import { type NoticeToSend, type SendNoticesResult, sendNotices } from './send-notices.js';
import type { NoticeMailer } from './ses-mailer.js';

/**
 * The notice rule in an `idsync inactive` run (IDSYNC_NOTICE_FROM set): reads every notice,
 * decides each idle user's step (./notice-steps.ts), closes the sent notices of users active
 * since, and with `apply` sends the new notices (./send-notices.ts). Only the `delete` steps'
 * removals go on to the plan; a dry run sends, closes and writes nothing and lists who would be
 * sent a notice.
 */

export interface NoticeRunDeps {
  readonly store: Pick<
    NoticeStore,
    'all' | 'begin' | 'markSent' | 'markRefused' | 'abandon' | 'close'
  >;
  readonly activity: Pick<DynamoActivityStore, 'get'>;
  /** Built only when there is something to send. */
  readonly mailer: () => NoticeMailer;
  readonly beforeSend?: Parameters<typeof sendNotices>[0]['beforeSend'];
}

export interface NoticeRunOptions {
  readonly namespace: string;
  readonly apply: boolean;
  readonly now: Date;
  readonly from: string;
  readonly contact: string;
  readonly days: number;
  readonly locale: 'en' | 'ja';
  readonly templates: NoticeTemplates;
  /**
   * A protected user is never removed, so never told they will be: such users skip the notice
   * rule and their removals go on to the plan, which records them as protected.
   */
  readonly isProtected?: (user: IdleUser) => boolean;
}

/** `isProtected` for NoticeRunOptions: the plan's protection (roles and users). */
export function protectedByPlan(
  plan: Pick<Config['plan'], 'protectedRoles' | 'protectedUsers'>,
): (user: IdleUser) => boolean {
  const protection = buildProtection(plan.protectedRoles, plan.protectedUsers);
  return (u) =>
    protectionReason(protection, { ...u, email: normalizeEmail(u.email) }) !== undefined;
}

export interface NoticeRunResult {
  /** The idle users the notice rule lets the plan delete. */
  readonly removals: Removal[];
  readonly steps: NoticeStep[];
  /** Sent notices closed (or, in a dry run, to close) because the user was active since. */
  readonly closed: NoticeRecord[];
  readonly sent?: SendNoticesResult;
}

export async function runNoticeRule(
  deps: NoticeRunDeps,
  whole: IdleSelection,
  options: NoticeRunOptions,
): Promise<NoticeRunResult> {
  const isProtected = options.isProtected ?? (() => false);
  const selection = { ...whole, idle: whole.idle.filter((u) => !isProtected(u)) };
  const kept = new Set(whole.idle.filter(isProtected).map((u) => u.userName));
  const protectedRemovals = whole.removals.filter(
    (r) => r.userName !== undefined && kept.has(r.userName),
  );
  const notices = new Map<string, NoticeRecord>();
  for await (const page of deps.store.all()) for (const n of page) notices.set(n.userKey, n);
  const steps = noticeSteps(selection.idle, notices, options.namespace, options.now, options.days);
  const idleKeys = new Set(steps.map((s) => s.userKey));
  const closed: NoticeRecord[] = [];
  // Users no longer idle: a sent notice closes when the record shows activity since it.
  for (const notice of notices.values()) {
    if (notice.state !== 'sent' || idleKeys.has(notice.userKey)) continue;
    const record = await deps.activity.get(notice.userKey);
    const verdict = noticeAllowsDeletion(notice, record?.last?.at, options.now, options.days);
    if (verdict.allowed || verdict.why !== 'active') continue;
    if (!options.apply || (await close(deps, notice, verdict.reason, options.now)))
      closed.push(notice);
  }
  for (const step of steps)
    if (step.closeFirst && step.notice) {
      if (!options.apply || (await close(deps, step.notice, step.reason, options.now)))
        closed.push(step.notice);
    }
  const removals = [...removalsOf(selection, steps), ...protectedRemovals];
  if (!options.apply) return { removals, steps, closed };
  const toSend = steps
    .filter((s) => s.kind === 'notify')
    .map(
      (s): NoticeToSend => ({
        userKey: s.userKey,
        email: s.user.email,
        userName: s.user.userName,
        ...('last' in s.user.verdict && s.user.verdict.last
          ? { lastActive: s.user.verdict.last.at }
          : {}),
        ...(s.notice ? { previousId: s.notice.noticeId } : {}),
      }),
    );
  const sent =
    toSend.length === 0
      ? undefined
      : await sendNotices(
          {
            store: deps.store,
            mailer: deps.mailer(),
            now: () => new Date(),
            ...(deps.beforeSend ? { beforeSend: deps.beforeSend } : {}),
          },
          toSend,
          { ...options, noticeDays: options.days },
        );
  return { removals, steps, closed, ...(sent ? { sent } : {}) };
}

async function close(
  deps: NoticeRunDeps,
  notice: NoticeRecord,
  reason: string,
  now: Date,
): Promise<boolean> {
  return deps.store.close(notice.userKey, notice.noticeId, reason, now.toISOString());
}

/** The selection's removals of the users whose step is `delete`. */
function removalsOf(selection: IdleSelection, steps: readonly NoticeStep[]): Removal[] {
  const deletable = new Set(steps.filter((s) => s.kind === 'delete').map((s) => s.user.userName));
  return selection.removals.filter((r) => r.userName !== undefined && deletable.has(r.userName));
}
