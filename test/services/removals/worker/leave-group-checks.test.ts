import { describe, expect, it } from 'vitest';
import {
  type GroupSnapshot,
  leaveGroupVetoReason,
} from '../../../../services/removals/worker/leave-group-checks.js';
import { scopedUserKey } from '../../../../shared/quicksight-user-rules.js';
import { buildProtection } from '../../../../shared/removal-rules.js';
import type { Task } from '../../../../shared/task.js';

/**
 * The last checks of a `leave_group` task (services/removals/worker/leave-group-checks.ts): still
 * IAM_IDENTITY_CENTER, not protected now, still in the group per the newest COMPLETE snapshot;
 * a task that called before is not vetoed for what its own call may have changed.
 */

const GROUP = 'readers@example.com';
const TASK: Task = {
  taskId: `default#group#ann@example.com#${GROUP}`,
  status: 'IN_PROGRESS',
  runId: 'plan-1',
  email: 'ann@example.com',
  userName: 'ann@example.com',
  arn: 'arn:aws:quicksight:us-east-1:123456789012:user/default/ann@example.com',
  role: 'READER',
  identityType: 'IAM_IDENTITY_CENTER',
  source: 'inactive',
  reason: 'idle',
  action: 'leave_group',
  group: GROUP,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  attempts: 0,
};
const listed = {
  userName: TASK.userName,
  role: 'READER',
  identityType: 'IAM_IDENTITY_CENTER',
  arn: TASK.arn,
  email: TASK.email,
};
const snapshot = (over: Partial<GroupSnapshot> = {}): GroupSnapshot => ({
  users: new Map([[scopedUserKey(listed), listed]]),
  members: new Set([TASK.email]),
  memberGroups: new Map([[TASK.email, [GROUP]]]),
  ...over,
});
const none = buildProtection([], []);

describe('leaveGroupVetoReason', () => {
  it('proceeds for an IdC user still in the group', () => {
    expect(leaveGroupVetoReason(TASK, none, snapshot())).toBeUndefined();
  });

  it('cancels when the person is no longer in the group, or in no group, per the snapshot', () => {
    expect(
      leaveGroupVetoReason(
        TASK,
        none,
        snapshot({ memberGroups: new Map([[TASK.email, ['authors@example.com']]]) }),
      ),
    ).toContain(`no longer in ${GROUP}`);
    expect(
      leaveGroupVetoReason(TASK, none, snapshot({ members: new Set(), memberGroups: new Map() })),
    ).toContain('in no configured group any more');
  });

  it('cancels when the QuickSight user is no longer listed (its seat has ended)', () => {
    expect(leaveGroupVetoReason(TASK, none, snapshot({ users: new Map() }))).toContain(
      'no longer listed',
    );
  });

  it('after an earlier call, neither the membership nor the listing vetoes: the call confirms', () => {
    const called = { ...TASK, attempts: 1 };
    expect(
      leaveGroupVetoReason(
        called,
        none,
        snapshot({ users: new Map(), members: new Set(), memberGroups: new Map() }),
      ),
    ).toBeUndefined();
  });

  it('refuses a user that is not IAM_IDENTITY_CENTER (as queued or as listed now)', () => {
    expect(leaveGroupVetoReason({ ...TASK, identityType: 'IAM' }, none, snapshot())).toContain(
      'not IAM_IDENTITY_CENTER',
    );
    const relisted = { ...listed, identityType: 'QUICKSIGHT' };
    expect(
      leaveGroupVetoReason(
        TASK,
        none,
        snapshot({ users: new Map([[scopedUserKey(relisted), relisted]]) }),
      ),
    ).toContain('QUICKSIGHT');
  });

  it('refuses a user protected now (role or user), also after an earlier call', () => {
    expect(leaveGroupVetoReason(TASK, buildProtection(['READER'], []), snapshot())).toContain(
      'protected now',
    );
    expect(
      leaveGroupVetoReason(
        { ...TASK, attempts: 2 },
        buildProtection([], ['ann@example.com']),
        snapshot(),
      ),
    ).toContain('protected now');
  });

  it('refuses a task without its group', () => {
    const { group: _omit, ...noGroup } = TASK;
    expect(leaveGroupVetoReason(noGroup, none, snapshot())).toContain('without its group');
  });
});
