import { describe, expect, it } from 'vitest';
import { heldOwningRoleByRecord } from '../../../../services/removals/handover/handover-planning.js';
import type { ActivityRecord } from '../../../../shared/activity-record.js';
import type { Task } from '../../../../shared/task.js';

const task = (role: string, userName = 'QuickSightReader/ann@example.com') =>
  ({ taskId: `default#${userName}`, userName, role, email: 'ann@example.com' }) as Task;

describe('heldOwningRoleByRecord', () => {
  it("reads the Reader's record by namespace and user name, and answers from its authoring mark", async () => {
    const keys: string[] = [];
    const records = new Map<string, Partial<ActivityRecord>>([
      [
        'default#quicksightreader/ann@example.com',
        {
          authored: {
            at: '2026-10-01T00:00:00.000Z',
            eventName: 'UpdateDashboard',
            source: 'cloudtrail',
          },
        },
      ],
    ]);
    const held = heldOwningRoleByRecord(
      {
        get: async (key: string) => {
          keys.push(key);
          return records.get(key) as ActivityRecord | undefined;
        },
      },
      'default',
    );
    expect(await held(task('READER'))).toBe(true);
    expect(await held(task('READER', 'QuickSightReader/bob@example.com'))).toBe(false);
    expect(keys).toEqual([
      'default#quicksightreader/ann@example.com',
      'default#quicksightreader/bob@example.com',
    ]);
  });

  it('reads nothing for a role that can own (the role decides) or another action', async () => {
    let reads = 0;
    const held = heldOwningRoleByRecord(
      {
        get: async () => {
          reads++;
          return undefined;
        },
      },
      'default',
    );
    expect(await held(task('AUTHOR'))).toBe(false);
    expect(await held({ ...task('READER'), action: 'change_role', targetRole: 'AUTHOR' })).toBe(
      false,
    );
    expect(reads).toBe(0);
  });
});
