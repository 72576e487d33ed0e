import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../../../services/cli/format-applied.js';
import { Pacer } from '../../../../services/removals/worker/pacing/call-pacing.js';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import {
  LEFT_CONFIRMED_REASON,
  NO_GROUP_WRITER_REASON,
} from '../../../../services/removals/worker/task-call.js';
import type { WorkerDeps } from '../../../../services/removals/worker/worker-ports.js';
import type { FaultSettings } from '../../../../services/sandbox/http/faults.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { createGroupMemberWriter } from '../../../../shared/google/google-group-members.js';
import { sleep } from '../../../../shared/retry.js';
import { groupTaskIdFor, type NewTask } from '../../../../shared/task.js';
import { useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { collect, workerDeps, workerOptions } from './fixtures/worker-deps.js';
import type { WorkerSandbox } from './fixtures/worker-sandbox.js';

/**
 * The worker's `leave_group` path on the sandbox (dynalite, the Google Directory stand-in through
 * the real adapter): `members.delete` of the person from the task's group, outcome `left_group`,
 * one outcome row; Google throttling, 5xx and timeouts retried by the worker's attempt policy
 * until the call goes through; a worker that dies between the call and its writes leaves the task
 * to a later run, which confirms the removal (404 after its own call) with one row; no writer
 * (IDSYNC_GOOGLE_GROUP_WRITE off): deferred, no call.
 */

const sandbox = useWorkerSandbox();
const FAST = { baseMs: 5, capMs: 40 };

/** An IdC-native user of the organisation in a configured group, and the group. */
function idcMember(wb: WorkerSandbox): { user: QuickSightUser; email: string; group: string } {
  const org = wb.sandbox.org;
  for (const user of org.quickSight.list()) {
    if (user.identityType !== 'IAM_IDENTITY_CENTER' || !user.email) continue;
    const group = org.groups.find((g) =>
      org.google.directMembers(g).some((m) => m.email === user.email),
    );
    if (group) return { user, email: user.email, group };
  }
  throw new Error('no IdC-native member in the organisation');
}

async function queueLeave(wb: WorkerSandbox) {
  const { user, email, group } = idcMember(wb);
  const task: NewTask = {
    taskId: groupTaskIdFor(wb.endpoints.namespace, email, group),
    runId: 'plan-1',
    email,
    userName: user.userName,
    arn: user.arn,
    role: user.role,
    identityType: user.identityType,
    source: 'inactive',
    reason: 'idle',
    action: 'leave_group',
    group,
  };
  await wb.tasks.enqueue(task);
  return { ...task, group, user };
}

function groupDeps(wb: WorkerSandbox, timeoutMs = 2_000): NonNullable<WorkerDeps['groupMembers']> {
  return {
    writer: createGroupMemberWriter({
      credentialsPath: wb.sandbox.google.credentialsPath,
      subject: wb.sandbox.org.subject,
      rootUrl: wb.sandbox.google.rootUrl,
      timeoutMs,
    }),
    pacer: new Pacer({ maxRate: 1000, initialRate: 200 }),
  };
}

const inGroup = (wb: WorkerSandbox, group: string, email: string) =>
  wb.sandbox.org.google.directMembers(group).some((m) => m.email === email);

async function outcomeRows(wb: WorkerSandbox, email: string) {
  return (await collect(wb.audit.byEmail(email))).filter((r) => r.kind === 'outcome');
}

/** Runs the worker while the Google stand-in answers its first `faulted` calls with `faults`. */
async function runThrough(
  wb: WorkerSandbox,
  faults: FaultSettings,
  faulted: number,
  timeoutMs?: number,
) {
  const google = wb.sandbox.google.faults;
  const start = google.counters.calls;
  google.configure(faults);
  let done = false;
  const recover = (async () => {
    while (!done && google.counters.calls - start < faulted) await sleep(1);
    google.configure({});
  })();
  const summary = await runWorker(
    workerDeps(wb, { groupMembers: groupDeps(wb, timeoutMs) }),
    workerOptions('apply-1', { concurrency: 2, leaseMs: 5_000, maxAttempts: 8, backoff: FAST }),
  );
  done = true;
  await recover;
  return summary;
}

describe('worker: leave_group tasks', () => {
  it('takes the person out of the group once: left_group, one outcome row, no QuickSight write', async () => {
    const wb = await sandbox.start();
    const task = await queueLeave(wb);
    const summary = await runWorker(
      workerDeps(wb, { groupMembers: groupDeps(wb) }),
      workerOptions('apply-1', { concurrency: 2, leaseMs: 5_000, maxAttempts: 3 }),
    );
    expect(summary).toMatchObject({ leftGroup: 1, failed: 0, deleted: 0 });
    // Every call was a Google call, and the closing text says so.
    expect(summary.googleCalls).toBe(summary.calls);
    expect(formatSummary(summary)).toContain(`${summary.calls} Google Directory call`);
    expect(formatSummary(summary)).not.toContain('QuickSight calls');
    expect(inGroup(wb, task.group, task.email)).toBe(false);
    expect(await wb.tasks.get(task.taskId)).toMatchObject({
      status: 'DONE',
      outcome: 'left_group',
    });
    const rows = await outcomeRows(wb, task.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'leave_group', outcome: 'left_group' });
    expect(rows[0]?.detail?.group).toBe(task.group);
    expect(wb.state.deletes.size + wb.state.updates.size).toBe(0);
  });

  for (const [name, faults, timeoutMs] of [
    [
      'a throttling storm (403 quotaExceeded / userRateLimitExceeded)',
      { throttleRate: 1 },
      undefined,
    ],
    ['a 5xx burst (503 backendError)', { errorRate: 1 }, undefined],
    ['no answer in time', { latencyMs: 400 }, 150],
  ] as const) {
    it(`retries through ${name} until the call goes through`, async () => {
      const wb = await sandbox.start();
      const task = await queueLeave(wb);
      const summary = await runThrough(wb, faults, 3, timeoutMs);
      expect(summary).toMatchObject({ leftGroup: 1, failed: 0 });
      expect(summary.calls).toBeGreaterThan(1);
      expect(inGroup(wb, task.group, task.email)).toBe(false);
      const rows = await outcomeRows(wb, task.email);
      expect(rows.map((r) => r.outcome)).toEqual(['left_group']);
    });
  }

  it('a worker dead between the call and its writes: the next run confirms the removal, one row', async () => {
    const wb = await sandbox.start();
    const task = await queueLeave(wb);
    // The first worker's process "dies" right after its Google call: no outcome row, no settle.
    const dying = runWorker(
      workerDeps(wb, {
        groupMembers: groupDeps(wb),
        audit: {
          append: async () => {
            throw new Error('killed');
          },
          appendOnce: async () => {
            throw new Error('killed');
          },
        },
      }),
      workerOptions('apply-1', { concurrency: 1, leaseMs: 600, maxAttempts: 3 }),
    );
    await dying;
    expect(inGroup(wb, task.group, task.email)).toBe(false);
    expect(await wb.tasks.get(task.taskId)).toMatchObject({ status: 'IN_PROGRESS', attempts: 1 });
    expect(await outcomeRows(wb, task.email)).toHaveLength(0);
    await sleep(700);
    const summary = await runWorker(
      workerDeps(wb, { groupMembers: groupDeps(wb) }),
      workerOptions('apply-2', { concurrency: 1, leaseMs: 5_000, maxAttempts: 3 }),
    );
    expect(summary).toMatchObject({ leftGroup: 1, alreadyGone: 0, failed: 0 });
    const rows = await outcomeRows(wb, task.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'left_group', reason: LEFT_CONFIRMED_REASON });
    expect(await wb.tasks.get(task.taskId)).toMatchObject({ status: 'DONE', attempts: 2 });
  });

  it('no Google writer in the process: the task is deferred, no call', async () => {
    const wb = await sandbox.start();
    const task = await queueLeave(wb);
    const calls = wb.sandbox.google.faults.counters.calls;
    const summary = await runWorker(
      workerDeps(wb),
      workerOptions('apply-1', { concurrency: 1, leaseMs: 5_000, maxAttempts: 3 }),
    );
    expect(summary).toMatchObject({ deferred: 1, leftGroup: 0, calls: 0 });
    expect(summary.deferReason).toBe(NO_GROUP_WRITER_REASON);
    expect(wb.sandbox.google.faults.counters.calls).toBe(calls);
    expect(inGroup(wb, task.group, task.email)).toBe(true);
    expect(await wb.tasks.get(task.taskId)).toMatchObject({ status: 'PENDING', attempts: 0 });
  });
});
