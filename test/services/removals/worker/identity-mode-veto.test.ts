import { describe, expect, it } from 'vitest';
import {
  type SnapshotView,
  vetoReason,
} from '../../../../services/removals/worker/delete-checks.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { scopedUserKey } from '../../../../shared/quicksight-user-rules.js';
import { buildProtection } from '../../../../shared/removal-rules.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

/**
 * The worker's identity-mode check before each call (services/removals/worker/delete-checks.ts): a task
 * queued by an older plan for a user that takes no user writes is never sent.
 */

const protection = buildProtection([], []);
const task = (identityType: string): Task => ({ ...SAMPLE_TASK, identityType });

function listedAs(identityType: string): SnapshotView {
  const user: QuickSightUser = {
    userName: SAMPLE_TASK.userName,
    ...(SAMPLE_TASK.principalId ? { principalId: SAMPLE_TASK.principalId } : {}),
    email: SAMPLE_TASK.email,
    role: SAMPLE_TASK.role,
    identityType,
    arn: SAMPLE_TASK.arn,
  };
  return {
    runId: 'snap',
    startedAt: '2026-12-07T09:00:00.000Z',
    members: new Set(),
    users: new Map([[scopedUserKey(SAMPLE_TASK), user]]),
    keepRows: [],
  };
}

describe('vetoReason: identity mode', () => {
  it('an IAM task listed as IAM goes on', () => {
    expect(vetoReason(task('IAM'), protection, listedAs('IAM'))).toBeUndefined();
    expect(vetoReason(task('QUICKSIGHT'), protection, undefined)).toBeUndefined();
  });

  it('a task queued for an IAM_IDENTITY_CENTER user is never sent', () => {
    expect(vetoReason(task('IAM_IDENTITY_CENTER'), protection, undefined)).toMatch(
      /^not sent: IAM_IDENTITY_CENTER user: QuickSight refuses user writes/,
    );
  });

  it('an IAM task whose user the newest snapshot lists as IAM_IDENTITY_CENTER is never sent', () => {
    expect(vetoReason(task('IAM'), protection, listedAs('IAM_IDENTITY_CENTER'))).toMatch(
      /^not sent: IAM_IDENTITY_CENTER/,
    );
  });

  it('an unknown identity type, queued or listed, is never sent', () => {
    expect(vetoReason(task('UNKNOWN'), protection, undefined)).toBe(
      'not sent: unknown identity type "UNKNOWN": never deleted',
    );
    expect(vetoReason(task('IAM'), protection, listedAs(''))).toMatch(/unknown identity type ""/);
  });
});
