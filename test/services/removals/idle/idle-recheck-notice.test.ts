import { describe, expect, it } from 'vitest';
import {
  type IdleRecheckInput,
  recheckIdle,
} from '../../../../services/removals/idle/idle-recheck.js';
import { DAY_MS } from '../../../../shared/idle-rule.js';
import type { NoticeRecord } from '../../../../shared/notice-rule.js';
import { SAMPLE_TASK } from '../worker/fixtures/sample-task.js';

/**
 * The worker's re-judge of an idle task with notices on (services/removals/idle/idle-recheck.ts, the
 * notice rule of shared/notice-rule.ts): a user whose notice is missing, too young, closed by
 * activity, possibly unsent or refused is not deleted.
 */

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const base: IdleRecheckInput = {
  task: { ...SAMPLE_TASK, source: 'inactive', idleDays: 60, createdAt: iso(NOW - DAY_MS) },
  record: {
    userKey: 'default#role/a@example.com',
    namespace: 'default',
    userName: SAMPLE_TASK.userName,
    spans: {},
    updatedAt: iso(NOW),
    version: 1,
    last: { at: iso(NOW - 80 * DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
  },
  cloudtrail: { from: iso(NOW - 90 * DAY_MS), to: iso(NOW - 15 * 60_000) },
  now: new Date(NOW),
  settings: { days: 60, roles: ['READER', 'READER_PRO'], maxLagMs: 2 * 3_600_000 },
};

const notice = (over: Partial<NoticeRecord>): NoticeRecord => ({
  userKey: 'default#role/a@example.com',
  noticeId: 'n1',
  email: 'a@example.com',
  userName: SAMPLE_TASK.userName ?? '',
  state: 'sent',
  startedAt: iso(NOW - 20 * DAY_MS),
  sentAt: iso(NOW - 20 * DAY_MS),
  ...over,
});
const withNotice = (record?: NoticeRecord) =>
  recheckIdle({ ...base, notice: { days: 14, ...(record ? { record } : {}) } });

describe('recheckIdle with notices', () => {
  it('noticed long enough ago and idle since: proceeds', () => {
    expect(withNotice(notice({}))).toEqual({ kind: 'proceed' });
  });

  it('no notice: cancelled (the next idsync inactive sends one)', () => {
    expect(withNotice()).toMatchObject({ kind: 'cancel', reason: /no notice/ });
  });

  it('a notice younger than the notice days: deferred', () => {
    expect(withNotice(notice({ sentAt: iso(NOW - 14 * DAY_MS + 1) }))).toMatchObject({
      kind: 'defer',
    });
  });

  it('closed by activity: cancelled', () => {
    expect(withNotice(notice({ state: 'closed' }))).toMatchObject({ kind: 'cancel' });
  });

  it('sending (may not have been sent) or refused: deferred, never deleted', () => {
    expect(withNotice(notice({ state: 'sending', sentAt: undefined }))).toMatchObject({
      kind: 'defer',
      reason: /idsync notices resolve/,
    });
    expect(withNotice(notice({ state: 'refused', reason: 'MessageRejected' }))).toMatchObject({
      kind: 'defer',
    });
  });

  it('without notices configured the task proceeds as before', () => {
    expect(recheckIdle(base)).toEqual({ kind: 'proceed' });
  });
});
