import { describe, expect, it } from 'vitest';
import {
  createBeforeDelete,
  type IdleChecks,
} from '../../../../services/removals/worker/delete-checks.js';
import type { NoticeRecord } from '../../../../shared/notice-rule.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

/**
 * The before-delete check with notices on (services/removals/worker/delete-checks.ts `IdleChecks.notices`):
 * each idle task's user is looked up in the notices table by the activity record's key and judged
 * by the notice rule, in the CLI's and the Lambda's worker alike.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const task = (n: number): Task => ({
  ...SAMPLE_TASK,
  taskId: `default#Role/u${n}@example.com`,
  userName: `Role/u${n}@example.com`,
  email: `u${n}@example.com`,
  source: 'inactive',
  idleDays: 60,
  createdAt: iso(NOW - DAY),
});

const sent = (n: number, sentAt: number): NoticeRecord => ({
  userKey: `default#role/u${n}@example.com`,
  noticeId: `n${n}`,
  email: `u${n}@example.com`,
  userName: `Role/u${n}@example.com`,
  state: 'sent',
  startedAt: iso(sentAt),
  sentAt: iso(sentAt),
});

describe('createBeforeDelete with notices', () => {
  it('deletes only users noticed long enough ago: missing → skipped, too young → deferred', async () => {
    const notices = new Map([
      ['default#role/u1@example.com', sent(1, NOW - 15 * DAY)],
      ['default#role/u2@example.com', sent(2, NOW - 2 * DAY)],
    ]);
    const looked: string[] = [];
    const idle: IdleChecks = {
      settings: { days: 60, roles: ['READER'], maxLagMs: 2 * 3_600_000 },
      namespace: 'default',
      activity: {
        coverageOfAccount: async () => ({
          cloudtrail: { from: iso(NOW - 90 * DAY), to: iso(NOW - 15 * 60_000) },
        }),
        get: async () => undefined,
        pendingEvents: async () => [],
      },
      identities: { get: async () => undefined, findByEmail: async () => [] },
      notices: {
        days: 14,
        store: {
          get: async (key) => {
            looked.push(key);
            return notices.get(key);
          },
        },
      },
    };
    const beforeDelete = createBeforeDelete({
      settings: { protectedRoles: [], protectedUsers: [], maxDeletions: 100 },
      snapshot: undefined,
      guard: { reserve: async () => 'reserved' as const },
      idle,
      now: () => NOW,
    });
    expect(await beforeDelete(task(1))).toBe('proceed');
    expect(await beforeDelete(task(2))).toMatchObject({ defer: expect.stringMatching(/notice/) });
    expect(await beforeDelete(task(3))).toMatchObject({ skip: expect.stringMatching(/no notice/) });
    expect(looked).toEqual([
      'default#role/u1@example.com',
      'default#role/u2@example.com',
      'default#role/u3@example.com',
    ]);
  });
});
