import { describe, expect, it } from 'vitest';
import type { Decision } from '../../shared/domain.js';
import { taskOfDecision } from '../../shared/task.js';

/** One mapping from a planned deletion to its task, for the plan's queue and the review's. */

const user = {
  userName: 'reader/ann@example.com',
  arn: 'arn:aws:quicksight:us-east-1:123456789012:user/default/reader/ann@example.com',
  role: 'READER',
  identityType: 'IAM',
};
const decision = (extra: Partial<Decision>): Decision => ({
  email: 'ann@example.com',
  source: 'inactive',
  sources: ['inactive'],
  decision: 'delete',
  reason: 'no activity in 60 days',
  quickSightUser: user,
  ...extra,
});

describe('taskOfDecision', () => {
  it('carries the idle N days of an inactive deletion, and keep-members when asked', () => {
    const task = taskOfDecision(
      decision({ idleDays: 60, keepMembers: true }),
      user,
      'default#reader/ann@example.com',
      'run-1',
    );
    expect(task).toEqual({
      taskId: 'default#reader/ann@example.com',
      runId: 'run-1',
      email: 'ann@example.com',
      userName: user.userName,
      arn: user.arn,
      role: 'READER',
      identityType: 'IAM',
      source: 'inactive',
      reason: 'no activity in 60 days',
      keepMembers: true,
      idleDays: 60,
    });
  });

  it('gives idle days only to inactive deletions, and a principal id only when there is one', () => {
    const task = taskOfDecision(
      decision({ source: 'csv', sources: ['csv'], idleDays: 60 }),
      { ...user, principalId: 'AIDA123' },
      't',
      'r',
    );
    expect(task).not.toHaveProperty('idleDays');
    expect(task).not.toHaveProperty('keepMembers');
    expect(task.principalId).toBe('AIDA123');
  });
});
