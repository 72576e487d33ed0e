import { describe, expect, it } from 'vitest';
import type { NoticeStep } from '../../../services/notices/notice-steps.js';
import { noticedUsers } from '../../../services/notices/rule-notices.js';

/** What the review lists for the idle users the notice rule keeps out of it (pure). */

const NOW = new Date('2026-12-07T10:00:00Z');
const step = (kind: NoticeStep['kind'], name: string, extra: Partial<NoticeStep> = {}) =>
  ({
    kind,
    userKey: `default#${name}`,
    user: { email: `${name}@example.com`, userName: name, role: 'READER', verdict: {} },
    reason: `reason of ${name}`,
    ...extra,
  }) as unknown as NoticeStep;

describe('noticedUsers', () => {
  it('lists a dry run as would-be notices, with the removal date the notice days away', () => {
    const out = noticedUsers(
      { removals: [], steps: [step('notify', 'a'), step('delete', 'b')], closed: [] },
      NOW,
      14,
    );
    expect(out).toEqual([
      {
        userName: 'a',
        email: 'a@example.com',
        state: 'noticed',
        removalFrom: '2026-12-21',
        reason: 'would be noticed now, up for removal from 2026-12-21',
      },
    ]);
  });

  it('tells sent, refused and unsent notices apart, and keeps the announced date of earlier ones', () => {
    const user = (name: string) => ({ userKey: `default#${name}`, email: '', userName: name });
    const out = noticedUsers(
      {
        removals: [],
        closed: [],
        steps: [
          step('notify', 'sent'),
          step('notify', 'refused'),
          step('notify', 'left'),
          step('wait', 'young', {
            notice: { removalAfter: '2026-12-15T08:00:00.000Z' } as NoticeStep['notice'],
          }),
          step('attention', 'unsure'),
        ],
        sent: {
          rate: 14,
          stopped: 'stopped sending (throttled); 1 notice(s) left for the next run',
          notices: [
            { user: user('sent'), outcome: 'sent', detail: 'msg-1' },
            { user: user('refused'), outcome: 'refused', detail: 'MessageRejected' },
          ],
        },
      },
      NOW,
      14,
    );
    expect(out.map((u) => [u.userName, u.state, u.reason])).toEqual([
      ['sent', 'noticed', 'noticed, up for removal from 2026-12-21'],
      ['refused', 'attention', 'notice refused (MessageRejected): not deleted'],
      [
        'left',
        'attention',
        'notice not sent yet (stopped sending (throttled); 1 notice(s) left for the next run): not deleted',
      ],
      ['young', 'waiting', 'noticed, up for removal from 2026-12-15'],
      ['unsure', 'attention', 'reason of unsure'],
    ]);
  });
});
