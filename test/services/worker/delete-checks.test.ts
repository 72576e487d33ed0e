import { describe, expect, it } from 'vitest';
import { createBeforeDelete, type IdleChecks } from '../../../services/worker/delete-checks.js';
import type { ActivityRecord, Span } from '../../../shared/activity-record.js';
import type { Task } from '../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

/**
 * The before-delete check's idle part (services/worker/delete-checks.ts), with in-memory ports:
 * which tasks are judged again, the one lazy catch-up of a stale record, and what happens when
 * it fails or is not allowed (the worker Lambda).
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SETTINGS = { days: 60, roles: ['READER'], maxLagMs: 2 * HOUR };

const idleTask = (n: number): Task => ({
  ...SAMPLE_TASK,
  taskId: `default#Role/u${n}@example.com`,
  userName: `Role/u${n}@example.com`,
  email: `u${n}@example.com`,
  source: 'inactive',
  idleDays: 60,
  createdAt: iso(NOW - 2 * DAY),
});

/** An activity store whose coverage ends at `coveredTo`; records by user name (lower case). */
function memoryActivity(coveredTo: number, records: Record<string, ActivityRecord> = {}) {
  const state = { coveredTo, reads: 0 };
  const activity: IdleChecks['activity'] = {
    coverage: async () => {
      state.reads++;
      const cloudtrail: Span = { from: iso(NOW - 90 * DAY), to: iso(state.coveredTo) };
      return { cloudtrail };
    },
    get: async (key: string) => records[key],
  };
  return { state, activity };
}

function checks(idle: IdleChecks) {
  let slots = 0;
  return {
    beforeDelete: createBeforeDelete({
      settings: { protectedRoles: [], protectedUsers: [], maxDeletions: 100 },
      snapshot: undefined,
      guard: {
        reserve: async () => {
          slots++;
          return 'reserved' as const;
        },
      },
      idle,
      now: () => NOW,
    }),
    slots: () => slots,
  };
}

describe('createBeforeDelete: idle tasks judged again', () => {
  it('catches a stale record up once for the whole run, lazily, then judges every idle task', async () => {
    const { state, activity } = memoryActivity(NOW - 3 * HOUR, {
      'default#role/u2@example.com': {
        userKey: 'default#role/u2@example.com',
        namespace: 'default',
        userName: 'Role/u2@example.com',
        last: { at: iso(NOW - HOUR), eventName: 'GetDashboard', source: 'cloudtrail' },
        spans: {},
        updatedAt: iso(NOW),
        version: 1,
      },
    });
    let catchUps = 0;
    const { beforeDelete, slots } = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity,
      catchUp: async () => {
        catchUps++;
        await new Promise((r) => setTimeout(r, 20));
        state.coveredTo = NOW - 15 * 60_000;
      },
    });
    // A leaver's task never needs the record: no catch-up for it.
    expect(await beforeDelete({ ...SAMPLE_TASK })).toBe('proceed');
    expect(catchUps).toBe(0);
    const answers = await Promise.all([1, 2, 3].map((n) => beforeDelete(idleTask(n))));
    expect(catchUps).toBe(1);
    expect(answers).toEqual([
      'proceed',
      { skip: 'active again: last active 2026-12-07, GetDashboard, from CloudTrail' },
      'proceed',
    ]);
    // Only the tasks that proceed take a guard slot (the leaver's and two idle ones).
    expect(slots()).toBe(3);
    expect(await beforeDelete(idleTask(4))).toBe('proceed');
    expect(catchUps).toBe(1);
  });

  it('defers when the catch-up fails or leaves the record stale, and reports the error once', async () => {
    const { activity } = memoryActivity(NOW - 3 * HOUR);
    const errors: unknown[] = [];
    let catchUps = 0;
    const { beforeDelete, slots } = checks({
      settings: SETTINGS,
      namespace: 'default',
      activity,
      catchUp: async () => {
        catchUps++;
        throw new Error('CloudTrail unreachable');
      },
      onCatchUpError: (e) => errors.push(e),
    });
    const reason = `the activity record ends at ${iso(NOW - 3 * HOUR)}, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync`;
    expect(await beforeDelete(idleTask(1))).toEqual({ defer: reason });
    expect(await beforeDelete(idleTask(2))).toEqual({ defer: reason });
    expect(catchUps).toBe(1);
    expect(errors).toHaveLength(1);
    expect(slots()).toBe(0);
  });

  it('never catches up without a way to (the worker Lambda): a stale record defers', async () => {
    const { activity } = memoryActivity(NOW - 2 * HOUR - 1);
    const { beforeDelete } = checks({ settings: SETTINGS, namespace: 'default', activity });
    expect(await beforeDelete(idleTask(1))).toMatchObject({ defer: expect.any(String) });
    const fresh = memoryActivity(NOW - 2 * HOUR);
    const ok = checks({ settings: SETTINGS, namespace: 'default', activity: fresh.activity });
    expect(await ok.beforeDelete(idleTask(1))).toBe('proceed');
  });

  it('protection still comes first: a protected idle user is cancelled without reading the record', async () => {
    const { state, activity } = memoryActivity(NOW - 3 * HOUR);
    const beforeDelete = createBeforeDelete({
      settings: { protectedRoles: ['READER'], protectedUsers: [], maxDeletions: 100 },
      snapshot: undefined,
      guard: { reserve: async () => 'reserved' as const },
      idle: { settings: SETTINGS, namespace: 'default', activity },
      now: () => NOW,
    });
    expect(await beforeDelete(idleTask(1))).toMatchObject({
      skip: expect.stringMatching(/^protected now: /),
    });
    expect(state.reads).toBe(0);
  });
});
