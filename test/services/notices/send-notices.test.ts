import { describe, expect, it } from 'vitest';
import type { NoticeStore } from '../../../services/notices/notice-store.js';
import { SHIPPED_TEMPLATES } from '../../../services/notices/notice-template.js';
import { type NoticeToSend, sendNotices } from '../../../services/notices/send-notices.js';
import type { NoticeMailer, SendOutcome } from '../../../services/notices/ses-mailer.js';
import type { NoticeRecord } from '../../../shared/notice-rule.js';

/**
 * The durable send (services/notices/send-notices.ts) with an in-memory store that keeps the
 * notice store's conditions, and a mailer that counts: a kill between the before-record and the
 * SES call, or a call without an answer, never sends twice; refusals are recorded, not retried;
 * the pace never exceeds the SES rate.
 */

function memoryStore() {
  const items = new Map<string, NoticeRecord>();
  const store: Pick<NoticeStore, 'begin' | 'markSent' | 'markRefused' | 'abandon'> = {
    begin: async (r, prev) => {
      const cur = items.get(r.userKey);
      if (prev === undefined ? cur !== undefined : cur?.noticeId !== prev || cur.state !== 'closed')
        return false;
      items.set(r.userKey, r);
      return true;
    },
    markSent: async (k, id, sent) => move(k, id, 'sent', sent),
    markRefused: async (k, id, reason) => move(k, id, 'refused', { reason }),
    abandon: async (k, id) => {
      const cur = items.get(k);
      if (cur?.noticeId !== id || cur.state !== 'sending') return false;
      items.delete(k);
      return true;
    },
  };
  function move(k: string, id: string, state: NoticeRecord['state'], extra: object): boolean {
    const cur = items.get(k);
    if (cur?.noticeId !== id || cur.state !== 'sending') return false;
    items.set(k, { ...cur, state, ...extra });
    return true;
  }
  return { store, items };
}

function countingMailer(
  answer: (to: string) => SendOutcome | Error = () => ({ kind: 'sent', messageId: 'm' }),
) {
  const sent: string[] = [];
  const mailer: NoticeMailer = {
    maxSendRate: async () => 14,
    send: async (m) => {
      const a = answer(m.to);
      if (a instanceof Error) throw a;
      if (a.kind === 'sent') sent.push(m.to);
      return a;
    },
  };
  return { mailer, sent };
}

const users: NoticeToSend[] = ['a', 'b', 'c'].map((n) => ({
  userKey: `default#r/${n}@x.com`,
  email: `${n}@x.com`,
  userName: `r/${n}@x.com`,
  lastActive: '2026-08-01T00:00:00.000Z',
}));
const options = {
  from: 'idsync@x.com',
  contact: 'it@x.com',
  noticeDays: 14,
  locale: 'en' as const,
  templates: SHIPPED_TEMPLATES.en,
};
const noPace = () => ({ acquire: async () => {} });

describe('sendNotices', () => {
  it('a kill after the before-record: the rerun sends nothing to that user, and the record stays sending', async () => {
    const { store, items } = memoryStore();
    const first = countingMailer();
    const killed = sendNotices(
      {
        store,
        mailer: first.mailer,
        pacer: noPace,
        beforeSend: (r) => {
          if (r.email === 'b@x.com') throw new Error('SIGKILL');
        },
      },
      users,
      options,
    );
    await expect(killed).rejects.toThrow('SIGKILL');
    expect(first.sent).toEqual(['a@x.com']);
    const again = countingMailer();
    const rerun = await sendNotices({ store, mailer: again.mailer, pacer: noPace }, users, options);
    expect(again.sent).toEqual(['c@x.com']);
    expect(rerun.notices.map((n) => n.outcome)).toEqual(['raced', 'raced', 'sent']);
    expect(items.get('default#r/b@x.com')?.state).toBe('sending');
    expect(items.get('default#r/a@x.com')).toMatchObject({ state: 'sent', messageId: 'm' });
  });

  it('no answer from SES: the record stays sending, the run stops, and a rerun does not send it again', async () => {
    const { store, items } = memoryStore();
    const timeout = countingMailer((to) =>
      to === 'a@x.com' ? new Error('ETIMEDOUT') : { kind: 'sent', messageId: 'm' },
    );
    const run = await sendNotices({ store, mailer: timeout.mailer, pacer: noPace }, users, options);
    expect(run.stopped).toMatch(/2 notice\(s\) left/);
    expect(items.get('default#r/a@x.com')?.state).toBe('sending');
    const rerun = countingMailer();
    await sendNotices({ store, mailer: rerun.mailer, pacer: noPace }, users, options);
    expect(rerun.sent).toEqual(['b@x.com', 'c@x.com']);
  });

  it('a refused address is recorded with the reason and not sent again', async () => {
    const { store, items } = memoryStore();
    const refusing = countingMailer((to) =>
      to === 'b@x.com'
        ? { kind: 'refused', reason: 'MessageRejected: b' }
        : { kind: 'sent', messageId: 'm' },
    );
    await sendNotices({ store, mailer: refusing.mailer, pacer: noPace }, users, options);
    expect(items.get('default#r/b@x.com')).toMatchObject({
      state: 'refused',
      reason: 'MessageRejected: b',
    });
    const rerun = countingMailer();
    await sendNotices({ store, mailer: rerun.mailer, pacer: noPace }, users, options);
    expect(rerun.sent).toEqual([]);
  });

  it('SES answered it sent nothing (throttled): the record is removed, so the next run sends it', async () => {
    const { store, items } = memoryStore();
    const throttled = countingMailer(() => ({
      kind: 'not-sent',
      reason: 'TooManyRequestsException',
      stop: false,
    }));
    await sendNotices({ store, mailer: throttled.mailer, pacer: noPace }, users, options);
    expect(items.size).toBe(0);
    const rerun = countingMailer();
    await sendNotices({ store, mailer: rerun.mailer, pacer: noPace }, users, options);
    expect(rerun.sent).toHaveLength(3);
  });

  it('paces to the SES rate: one acquire per send, at the rate GetAccount named', async () => {
    const { store } = memoryStore();
    const rates: number[] = [];
    let acquired = 0;
    const { mailer } = countingMailer();
    await sendNotices(
      {
        store,
        mailer,
        pacer: (r) => {
          rates.push(r);
          return { acquire: async () => void acquired++ };
        },
      },
      users,
      options,
    );
    expect(rates).toEqual([14]);
    expect(acquired).toBe(3);
  });
});
