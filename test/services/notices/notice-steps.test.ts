import { describe, expect, it } from 'vitest';
import { noticeSteps } from '../../../services/notices/notice-steps.js';
import type { IdleUser as JudgedUser } from '../../../shared/idle-selection.js';
import type { NoticeRecord } from '../../../shared/notice-rule.js';

/** Each idle user's step under the notice rule (services/notices/notice-steps.ts). */

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const user = (name: string): JudgedUser => ({
  email: `${name}@x.com`,
  userName: `r/${name}@x.com`,
  role: 'READER',
  verdict: {
    idle: true,
    reason: 'idle',
    asOf: iso(NOW),
    last: { at: iso(NOW - 80 * DAY), eventName: 'GetDashboard', source: 'cloudtrail' },
  } as JudgedUser['verdict'],
});
const notice = (name: string, over: Partial<NoticeRecord>): NoticeRecord => ({
  userKey: `default#r/${name}@x.com`,
  noticeId: `n-${name}`,
  email: `${name}@x.com`,
  userName: `r/${name}@x.com`,
  state: 'sent',
  startedAt: iso(NOW - 20 * DAY),
  sentAt: iso(NOW - 20 * DAY),
  ...over,
});

describe('noticeSteps', () => {
  it('gives each idle user one step by the notice rule', () => {
    const notices = new Map(
      [
        notice('old', {}),
        notice('young', { sentAt: iso(NOW - DAY) }),
        notice('closed', { state: 'closed' }),
        notice('active', { sentAt: iso(NOW - 80 * DAY) }),
        notice('sending', { state: 'sending', sentAt: undefined }),
        notice('refused', { state: 'refused', reason: 'MessageRejected' }),
      ].map((n) => [n.userKey, n]),
    );
    const names = ['new', 'old', 'young', 'closed', 'active', 'sending', 'refused'];
    const steps = noticeSteps(names.map(user), notices, 'default', new Date(NOW), 14);
    expect(steps.map((s) => [s.user.email, s.kind, s.closeFirst ?? false])).toEqual([
      ['new@x.com', 'notify', false],
      ['old@x.com', 'delete', false],
      ['young@x.com', 'wait', false],
      ['closed@x.com', 'notify', false],
      ['active@x.com', 'notify', true],
      ['sending@x.com', 'attention', false],
      ['refused@x.com', 'attention', false],
    ]);
  });
  it("keeps a notice per QuickSight scope: another account's same-named user has none", () => {
    const B = '222222222222/sales';
    const notices = new Map([[notice('old', {}).userKey, notice('old', {})]]);
    const home = user('old');
    const inB: JudgedUser = { ...user('old'), scope: B };
    const steps = noticeSteps([home, inB], notices, 'default', new Date(NOW), 14);
    expect(steps.map((s) => [s.userKey, s.kind])).toEqual([
      ['default#r/old@x.com', 'delete'],
      [`${B}#r/old@x.com`, 'notify'],
    ]);
  });
});
