import { randomUUID } from 'node:crypto';
import { describeError } from '../../shared/errors.js';
import { IntervalPacer } from '../../shared/interval-pacer.js';
import { type NoticeRecord, removalDate } from '../../shared/notice-rule.js';
import type { NoticeStore } from './notice-store.js';
import { type NoticeTemplates, renderNotice } from './notice-template.js';
import type { NoticeMailer } from './ses-mailer.js';

/**
 * Sends the notices of one run, one at a time, paced to SES's sending rate (GetAccount
 * MaxSendRate; never faster). Each send is recorded durably around the call, since SendEmail has
 * no idempotency key:
 *
 * 1. before: a `sending` record, conditional (NoticeStore.begin): a rerun, or a second run at the
 *    same time, finds it and never sends again;
 * 2. the SES call;
 * 3. after: `sent` with the MessageId and time; `refused` with SES's reason (never retried
 *    automatically); or, when SES answered that it sent nothing, the record removed so a later
 *    run sends it.
 *
 * A call without an answer (a timeout, a reset, a 5xx) leaves the record `sending`: SES may have
 * sent it, so nobody is told twice, and the user is not deleted until an operator resolves it
 * (`idsync notices resolve`). The run stops there: the next sends would most likely meet the
 * same fault, each leaving one more record to resolve. A kill between 1 and 3 leaves the same.
 */

export interface NoticeToSend {
  readonly userKey: string;
  readonly email: string;
  readonly userName: string;
  /** The newest activity on record (ISO), when there is one. */
  readonly lastActive?: string;
  /** The closed notice the new one replaces (NoticeStore.begin's condition). */
  readonly previousId?: string;
}

export interface SendNoticesOptions {
  readonly from: string;
  readonly contact: string;
  readonly noticeDays: number;
  readonly locale: 'en' | 'ja';
  readonly templates: NoticeTemplates;
}

export interface SendNoticesDeps {
  readonly store: Pick<NoticeStore, 'begin' | 'markSent' | 'markRefused' | 'abandon'>;
  readonly mailer: NoticeMailer;
  readonly now?: () => Date;
  /** The pacer for a rate (tests pass one with a fake clock). */
  readonly pacer?: (rate: number) => { acquire(): Promise<void> };
  /** Called after the before-record and before the SES call (fault tests kill here). */
  readonly beforeSend?: (record: NoticeRecord) => Promise<void> | void;
}

export interface SentNotice {
  readonly user: NoticeToSend;
  readonly outcome: 'sent' | 'refused' | 'not-sent' | 'unknown' | 'raced';
  readonly detail?: string;
}

export interface SendNoticesResult {
  readonly notices: SentNotice[];
  /** Why the run stopped before the end of the list, when it did. */
  readonly stopped?: string;
  readonly rate: number;
}

const NO_ACTIVITY: Readonly<Record<'en' | 'ja', string>> = {
  en: 'the start of our records',
  ja: '記録の開始',
};

export async function sendNotices(
  deps: SendNoticesDeps,
  users: readonly NoticeToSend[],
  options: SendNoticesOptions,
): Promise<SendNoticesResult> {
  const now = deps.now ?? (() => new Date());
  const notices: SentNotice[] = [];
  if (users.length === 0) return { notices, rate: 0 };
  const rate = await deps.mailer.maxSendRate();
  const pacer = (deps.pacer ?? ((r: number) => new IntervalPacer(r)))(rate);
  for (const [i, user] of users.entries()) {
    await pacer.acquire();
    const startedAt = now().toISOString();
    const removalAfter = removalDate(startedAt, options.noticeDays);
    const record: NoticeRecord = {
      userKey: user.userKey,
      noticeId: randomUUID(),
      email: user.email,
      userName: user.userName,
      state: 'sending',
      startedAt,
      removalAfter,
      ...(user.lastActive ? { lastActive: user.lastActive } : {}),
    };
    if (!(await deps.store.begin(record, user.previousId))) {
      notices.push({ user, outcome: 'raced', detail: 'another run recorded a notice first' });
      continue;
    }
    await deps.beforeSend?.(record);
    const message = renderNotice(options.templates, {
      userName: user.userName,
      email: user.email,
      lastActive: user.lastActive?.slice(0, 10) ?? NO_ACTIVITY[options.locale],
      removalDate: removalAfter.slice(0, 10),
      noticeDays: String(options.noticeDays),
      contact: options.contact,
    });
    let outcome: Awaited<ReturnType<NoticeMailer['send']>>;
    try {
      outcome = await deps.mailer.send({ from: options.from, to: user.email, ...message });
    } catch (error) {
      notices.push({ user, outcome: 'unknown', detail: describeError(error) });
      return { notices, rate, stopped: stopReason(users.length - i - 1, describeError(error)) };
    }
    if (outcome.kind === 'sent') {
      await deps.store.markSent(user.userKey, record.noticeId, {
        messageId: outcome.messageId,
        sentAt: now().toISOString(),
      });
      notices.push({ user, outcome: 'sent', detail: outcome.messageId });
    } else if (outcome.kind === 'refused') {
      await deps.store.markRefused(user.userKey, record.noticeId, outcome.reason);
      notices.push({ user, outcome: 'refused', detail: outcome.reason });
    } else {
      await deps.store.abandon(user.userKey, record.noticeId);
      notices.push({ user, outcome: 'not-sent', detail: outcome.reason });
      if (outcome.stop)
        return { notices, rate, stopped: stopReason(users.length - i - 1, outcome.reason) };
    }
  }
  return { notices, rate };
}

function stopReason(left: number, why: string): string {
  return `stopped sending (${why}); ${left} notice(s) left for the next run`;
}
