import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import type { NoticedUser, UserNotices } from '../../shared/notice-judgement.js';
import { removalDate } from '../../shared/notice-rule.js';
import { runConfiguredNoticeRule } from './configured-notice-run.js';
import type { NoticeRunDeps, NoticeRunResult } from './notice-run.js';
import { loadTemplates, type NoticeTemplates } from './notice-template.js';
import type { NoticeMailer } from './ses-mailer.js';

/**
 * The review's UserNotices port on the notice rule of `idsync inactive` (services/notices/):
 * the same store, the same durable sends (once per idle spell, paced to SES's rate), the same
 * audit rows (under the review's run id). Only the idle users noticed at least
 * IDSYNC_NOTICE_DAYS ago and idle since go up for approval; the others are listed.
 */

export interface RuleNoticesOptions {
  /** The SES mailer; default SES v2 through @aws-sdk/client-sesv2 (built only when sending). */
  readonly mailer?: () => NoticeMailer;
  /** Called after the before-record and before each SES call (fault tests kill here). */
  readonly beforeSend?: NoticeRunDeps['beforeSend'];
}

export function ruleNotices(
  config: Pick<Config, 'aws' | 'quicksight' | 'notice' | 'plan'>,
  stores: Pick<Stores, 'doc' | 'names' | 'audit'>,
  options: RuleNoticesOptions = {},
): UserNotices {
  let templates: Promise<NoticeTemplates> | undefined;
  const days = config.notice.days;
  return {
    async judge(whole, { runId, apply, now }) {
      templates ??= loadTemplates(config.notice.locale, config.notice.templateDir);
      const result = await runConfiguredNoticeRule(config, stores, whole, {
        runId,
        apply,
        now,
        templates: await templates,
        ...(options.mailer ? { mailer: options.mailer } : {}),
        ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
      });
      return { removals: result.removals, noticed: noticedUsers(result, now, days) };
    },
  };
}

/**
 * The idle users the notice rule keeps out of the review, each with why: noticed now (or, in a
 * dry run, would be), noticed too recently, or a notice needing attention. Pure.
 */
export function noticedUsers(result: NoticeRunResult, now: Date, days: number): NoticedUser[] {
  const outcomes = new Map((result.sent?.notices ?? []).map((n) => [n.user.userKey, n]));
  const out: NoticedUser[] = [];
  for (const step of result.steps) {
    const who = { userName: step.user.userName, email: step.user.email };
    if (step.kind === 'delete') continue;
    if (step.kind === 'wait') {
      const from = (
        step.notice?.removalAfter ?? removalDate(step.notice?.sentAt ?? '', days)
      ).slice(0, 10);
      out.push({
        ...who,
        state: 'waiting',
        removalFrom: from,
        reason: `noticed, up for removal from ${from}`,
      });
      continue;
    }
    if (step.kind === 'attention') {
      out.push({ ...who, state: 'attention', reason: step.reason });
      continue;
    }
    // notify: a dry run (no send result) would send one now; else the send's outcome counts.
    const sent = outcomes.get(step.userKey);
    const from = removalDate(now.toISOString(), days).slice(0, 10);
    if (!result.sent && !sent) {
      out.push({
        ...who,
        state: 'noticed',
        removalFrom: from,
        reason: `would be noticed now, up for removal from ${from}`,
      });
    } else if (sent?.outcome === 'sent') {
      out.push({
        ...who,
        state: 'noticed',
        removalFrom: from,
        reason: `noticed, up for removal from ${from}`,
      });
    } else {
      out.push({
        ...who,
        state: 'attention',
        reason: sent
          ? `notice ${sent.outcome}${sent.detail ? ` (${sent.detail})` : ''}: not deleted`
          : `notice not sent yet (${result.sent?.stopped ?? 'sending stopped'}): not deleted`,
      });
    }
  }
  return out;
}
