import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GUARD_TRIPPED_PREFIX,
  HELD_ALARM_AFTER_MS,
  heldLines,
  nextCommands,
  readWork,
  summarizeWork,
  WORK_KINDS,
  workKindOf,
} from '../../shared/held-work.js';
import { TASK_STATUSES, type Task } from '../../shared/task.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function task(over: Partial<Task> & Pick<Task, 'taskId' | 'status'>): Task {
  return {
    runId: 'plan-1',
    email: `${over.taskId}@example.com`,
    userName: over.taskId,
    arn: `arn:aws:quicksight:us-east-1:111122223333:user/default/${over.taskId}`,
    role: 'READER',
    identityType: 'IAM',
    source: 'group_removal',
    reason: 'left',
    createdAt: ago(0),
    updatedAt: ago(0),
    attempts: 0,
    ...over,
  };
}

describe('held work', () => {
  it('tells the kinds apart: guard-held by its reason, leased by a live lease, AWAITING_APPROVAL by name', () => {
    expect(workKindOf({ status: 'PENDING' }, NOW)).toBe('queued');
    expect(workKindOf({ status: 'FAILED' }, NOW)).toBe('queued');
    expect(workKindOf({ status: 'IN_PROGRESS', leaseUntil: NOW + 1 }, NOW)).toBe('leased');
    expect(workKindOf({ status: 'IN_PROGRESS', leaseUntil: NOW - 1 }, NOW)).toBe('queued');
    expect(
      workKindOf(
        { status: 'BLOCKED', blockReason: 'guard window: 3 of 3 used: budget spent' },
        NOW,
      ),
    ).toBe('blocked');
    expect(
      workKindOf(
        { status: 'BLOCKED', blockReason: `${GUARD_TRIPPED_PREFIX}9 deletions exceed` },
        NOW,
      ),
    ).toBe('guardHeld');
    expect(workKindOf({ status: 'AWAITING_APPROVAL' as Task['status'] }, NOW)).toBe(
      'awaitingApproval',
    );
    expect(workKindOf({ status: 'DONE' }, NOW)).toBeUndefined();
    expect(workKindOf({ status: 'CANCELLED' }, NOW)).toBeUndefined();
  });

  it('counts held tasks, those held over an hour (the alarm), and the oldest age', () => {
    const s = summarizeWork(
      [
        task({ taskId: 'a', status: 'PENDING', updatedAt: ago(5 * HELD_ALARM_AFTER_MS) }),
        task({
          taskId: 'b',
          status: 'BLOCKED',
          blockReason: `${GUARD_TRIPPED_PREFIX}x`,
          updatedAt: ago(HELD_ALARM_AFTER_MS + 1000),
        }),
        task({ taskId: 'c', status: 'BLOCKED', blockReason: 'window', updatedAt: ago(60_000) }),
        // Exactly an hour is not more than an hour.
        task({
          taskId: 'd',
          status: 'BLOCKED',
          blockReason: 'w',
          updatedAt: ago(HELD_ALARM_AFTER_MS),
        }),
        task({ taskId: 'e', status: 'DONE' }),
      ],
      NOW,
    );
    expect(s.groups.queued.count).toBe(1);
    expect(s.groups.guardHeld.count).toBe(1);
    expect(s.groups.blocked.items.map((i) => i.taskId)).toEqual(['d', 'c']);
    expect(s.held).toBe(3);
    expect(s.heldOverAnHour).toBe(1);
    expect(s.oldestHeldSeconds).toBe(HELD_ALARM_AFTER_MS / 1000 + 1);
  });

  it('names the command that releases every BLOCKED task, with their count, and none when nothing is held', () => {
    const s = summarizeWork(
      [
        task({ taskId: 'a', status: 'BLOCKED', blockReason: `${GUARD_TRIPPED_PREFIX}x` }),
        task({ taskId: 'b', status: 'BLOCKED', blockReason: `${GUARD_TRIPPED_PREFIX}x` }),
        task({ taskId: 'c', status: 'BLOCKED', blockReason: 'window' }),
        task({ taskId: 'q', status: 'PENDING' }),
      ],
      NOW,
    );
    expect(nextCommands(s)).toEqual({
      queued: 'idsync apply',
      blocked: 'idsync apply --max-deletions 3',
      guardHeld: 'idsync apply --max-deletions 3',
    });
    const lines = heldLines(s);
    expect(lines[0]).toBe(
      'HELD: 3 removals are held and will not run by themselves (idsync status lists them).',
    );
    expect(lines.join('\n')).toContain(
      '2 held by the guard (whole plan or QuickSight account stopped): idsync apply --max-deletions 3',
    );
    expect(heldLines(summarizeWork([task({ taskId: 'q', status: 'PENDING' })], NOW))).toEqual([]);
  });

  it('reads every live status and no final one', async () => {
    const asked: string[] = [];
    const work = await readWork(
      {
        async *byStatus(status) {
          asked.push(status);
          yield [task({ taskId: status.toLowerCase(), status })];
        },
      },
      NOW,
    );
    expect(asked).toEqual(TASK_STATUSES.filter((s) => s !== 'DONE' && s !== 'CANCELLED'));
    expect(work.groups.blocked.count).toBe(1);
  });

  it('any set of tasks: every live task is in exactly one kind; held is the sum of the held kinds', () => {
    const arbTask = fc.record({
      status: fc.constantFrom(...TASK_STATUSES, 'AWAITING_APPROVAL'),
      guard: fc.boolean(),
      ageMs: fc.integer({ min: 0, max: 10 * HELD_ALARM_AFTER_MS }),
      lease: fc.integer({ min: -1000, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(arbTask, { maxLength: 30 }), (specs) => {
        const tasks = specs.map((sp, i) =>
          task({
            taskId: `t${i}`,
            status: sp.status as Task['status'],
            updatedAt: ago(sp.ageMs),
            leaseUntil: NOW + sp.lease,
            ...(sp.guard ? { blockReason: `${GUARD_TRIPPED_PREFIX}x` } : { blockReason: 'w' }),
          }),
        );
        const s = summarizeWork(tasks, NOW);
        const live = tasks.filter((t) => t.status !== 'DONE' && t.status !== 'CANCELLED').length;
        expect(WORK_KINDS.reduce((n, k) => n + s.groups[k].count, 0)).toBe(live);
        expect(s.held).toBe(
          s.groups.blocked.count + s.groups.guardHeld.count + s.groups.awaitingApproval.count,
        );
        expect(s.heldOverAnHour).toBeLessThanOrEqual(s.held);
        expect(heldLines(s).length > 0).toBe(s.held > 0);
      }),
    );
  });
});
