import { describe, expect, it } from 'vitest';
import { reviewTask } from '../../../services/review/review-task.js';
import type { Decision } from '../../../shared/domain.js';

/**
 * The review's task of a decision (services/review/review-task.ts): a deletion under the user's
 * task id, a group removal (IDSYNC_GOOGLE_GROUP_WRITE=on) under its own, anything else none.
 */

const user = {
  userName: 'ann@example.com',
  arn: 'arn:aws:quicksight:us-east-1:123456789012:user/default/ann@example.com',
  role: 'READER',
  identityType: 'IAM_IDENTITY_CENTER',
};
const base: Decision = {
  email: 'ann@example.com',
  source: 'inactive',
  sources: ['inactive'],
  decision: 'leave_group',
  reason: 'idle',
  quickSightUser: user,
  idleDays: 60,
  group: 'readers@example.com',
};

describe('reviewTask', () => {
  it('a leave_group decision: a leave_group task keyed by person and group', () => {
    expect(reviewTask(base, 'default', 'review-1')).toMatchObject({
      taskId: 'default#group#ann@example.com#readers@example.com',
      action: 'leave_group',
      group: 'readers@example.com',
      idleDays: 60,
      runId: 'review-1',
    });
  });

  it('a delete: the user task as before, no action; other decisions: none', () => {
    const { group: _g, ...plain } = base;
    const task = reviewTask(
      { ...plain, decision: 'delete', quickSightUser: { ...user, identityType: 'IAM' } },
      'default',
      'review-1',
    );
    expect(task?.taskId).toBe('default#ann@example.com');
    expect(task).not.toHaveProperty('action');
    expect(reviewTask({ ...base, decision: 'ends_with_group' }, 'default', 'r')).toBeUndefined();
  });
});
