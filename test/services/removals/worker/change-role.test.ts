import { describe, expect, it } from 'vitest';
import {
  createBeforeDelete,
  roleChangeVeto,
  type SnapshotView,
} from '../../../../services/removals/worker/delete-checks.js';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import { alreadyInRoleReason } from '../../../../services/removals/worker/task-call.js';
import type {
  WorkerOptions,
  WorkerTaskStore,
} from '../../../../services/removals/worker/worker-ports.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import type { StoredAuditRecord } from '../../../../shared/dynamo/audit-store.js';
import { parseGroupRoles } from '../../../../shared/group-roles.js';
import { sleep } from '../../../../shared/retry.js';
import { pendingTask, roleTaskIdFor, type Task } from '../../../../shared/task.js';
import { useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { collect, workerDeps, workerOptions } from './fixtures/worker-deps.js';
import { registerLeavers, stateKey, type WorkerSandbox } from './fixtures/worker-sandbox.js';

/**
 * The worker's change_role path (role follows group, idle Authors): one UpdateUser per task to
 * its target role, keeping the user's email; one outcome row; no second UpdateUser after a run
 * killed between its outcome row and the task's final state; a downgrade from an owning role
 * only after the asset handover; IAM Identity Center users never written.
 */

const sandbox = useWorkerSandbox();
const options = (runId: string, extra: Partial<WorkerOptions> = {}) =>
  workerOptions(runId, { concurrency: 4, leaseMs: 300, maxAttempts: 5 }, extra);

const GROUP_ROLES = (() => {
  const p = parseGroupRoles('authors@example.org=AUTHOR,readers@example.org=READER');
  if (!p.ok) throw new Error(p.message);
  return p.map;
})();

/** Idle settings the checks need built; no idle task here, so nothing of them is read. */
const IDLE = {
  settings: { days: 30, roles: ['READER'], maxLagMs: 3_600_000, keepGroups: [] },
  namespace: 'default',
  activity: {},
  identities: {},
} as never;

/** One PENDING change_role task per user to `targetRole` (source group_role). */
async function seedRoleChanges(
  wb: WorkerSandbox,
  users: readonly QuickSightUser[],
  targetRole: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const u of users) {
    const taskId = roleTaskIdFor(wb.endpoints.namespace, u);
    ids.push(taskId);
    const outcome = await wb.tasks.enqueue({
      taskId,
      runId: 'plan-run',
      email: u.email ?? '',
      userName: u.userName,
      ...(u.principalId ? { principalId: u.principalId } : {}),
      arn: u.arn,
      role: u.role,
      identityType: u.identityType,
      source: 'group_role',
      reason: `in a group that gives ${targetRole}`,
      action: 'change_role',
      targetRole,
    });
    expect(outcome).toBe('created');
  }
  return ids;
}

/** Named users only (UpdateUser needs a user name). */
const named = (users: QuickSightUser[]) => users.filter((u) => u.userName !== 'N/A');

const updates = (wb: WorkerSandbox, users: readonly QuickSightUser[]) =>
  users.map((u) => wb.state.updates.get(stateKey(u)) ?? 0);

function storeWith(s: WorkerSandbox, over: Partial<WorkerTaskStore>): WorkerTaskStore {
  const t = s.tasks;
  return {
    claimable: (n) => t.claimable(n),
    leased: (n) => t.leased(n),
    claim: (...a) => t.claim(...a),
    renew: (...a) => t.renew(...a),
    complete: (...a) => t.complete(...a),
    fail: (...a) => t.fail(...a),
    release: (...a) => t.release(...a),
    block: (...a) => t.block(...a),
    defer: (...a) => t.defer(...a),
    ...over,
  };
}

const outcomeRows = async (wb: WorkerSandbox, ...runs: string[]) =>
  (await Promise.all(runs.map((r) => collect(wb.audit.byRun(r)))))
    .flat()
    .filter((r: StoredAuditRecord) => r.kind === 'outcome');

describe('worker: change_role tasks', () => {
  it('sends one UpdateUser per task, keeps the email, writes one role_changed row; a rerun sends none', async () => {
    const wb = await sandbox.start();
    const users = named(registerLeavers(wb.state, 5));
    const ids = await seedRoleChanges(wb, users, 'AUTHOR');
    const summary = await runWorker(workerDeps(wb), options('apply-r1'));
    expect(summary).toMatchObject({ total: 5, roleChanged: 5, deleted: 0, failed: 0, calls: 5 });
    expect(updates(wb, users)).toEqual([1, 1, 1, 1, 1]);
    expect(wb.state.deletes.size).toBe(0);
    for (const u of users)
      expect(wb.state.get(u.userName)).toMatchObject({ role: 'AUTHOR', email: u.email });
    const rows = await outcomeRows(wb, 'apply-r1');
    expect(rows.map((r) => [r.outcome, r.decision, r.detail?.targetRole])).toEqual(
      Array(5).fill(['role_changed', 'upgrade', 'AUTHOR']),
    );
    for (const id of ids) expect((await wb.tasks.get(id))?.status).toBe('DONE');

    const again = await runWorker(workerDeps(wb), options('apply-r2'));
    expect(again).toMatchObject({ total: 0, calls: 0 });
    expect(updates(wb, users)).toEqual([1, 1, 1, 1, 1]);
  });

  it('killed between the outcome row and the final state: the rerun sends no second UpdateUser', async () => {
    const wb = await sandbox.start();
    const users = named(registerLeavers(wb.state, 4));
    const ids = await seedRoleChanges(wb, users, 'AUTHOR');
    const killed = async (): Promise<never> => {
      throw new Error('killed here (simulated)');
    };
    const first = await runWorker(
      workerDeps(wb, { tasks: storeWith(wb, { complete: killed }) }),
      options('apply-k1'),
    );
    expect(first).toMatchObject({ calls: 4, failed: 4, roleChanged: 0 });
    expect(updates(wb, users)).toEqual([1, 1, 1, 1]);
    for (const id of ids) expect((await wb.tasks.get(id))?.status).toBe('IN_PROGRESS');

    await sleep(400); // the dead run's leases run out
    const second = await runWorker(workerDeps(wb), options('apply-k2'));
    expect(second).toMatchObject({ roleChanged: 4, failed: 0 });
    // The rerun read each user (DescribeUser), found the target role, and sent nothing.
    expect(updates(wb, users)).toEqual([1, 1, 1, 1]);
    const rows = await outcomeRows(wb, 'apply-k1', 'apply-k2');
    const perTask = new Map<string, string[]>();
    for (const r of rows) {
      const id = String(r.detail?.taskId);
      perTask.set(id, [...(perTask.get(id) ?? []), r.outcome ?? '?']);
    }
    for (const id of ids) expect(perTask.get(id)).toEqual(['role_changed']);
    for (const id of ids) expect((await wb.tasks.get(id))?.status).toBe('DONE');
  });

  it('a user already in the target role: no UpdateUser, role_changed with the reason', async () => {
    const wb = await sandbox.start();
    const [u] = named(registerLeavers(wb.state, 1)) as [QuickSightUser];
    await seedRoleChanges(wb, [u], 'READER');
    const summary = await runWorker(workerDeps(wb), options('apply-same'));
    expect(summary).toMatchObject({ roleChanged: 1, calls: 1 });
    expect(updates(wb, [u])).toEqual([0]);
    const [row] = await outcomeRows(wb, 'apply-same');
    expect(row?.reason).toBe(alreadyInRoleReason({ targetRole: 'READER' }));
  });

  it('a downgrade from an owning role waits for the asset handover: deferred → no UpdateUser', async () => {
    const wb = await sandbox.start();
    const users = named(registerLeavers(wb.state, 2)).map((u) =>
      wb.state.update(u, { role: 'AUTHOR' }),
    );
    wb.state.updates.clear();
    const [down, up] = users as [QuickSightUser, QuickSightUser];
    const [downId] = await seedRoleChanges(wb, [down], 'READER');
    await seedRoleChanges(wb, [up], 'ADMIN');
    const handed: Task[] = [];
    const summary = await runWorker(
      workerDeps(wb, {
        handOver: async (task) => {
          handed.push(task);
          return { kind: 'deferred', reason: 'owns 2 dashboards; set IDSYNC_ASSET_SUCCESSOR' };
        },
      }),
      options('apply-h'),
    );
    // Only the downgrade needs a handover (AUTHOR → READER); the upgrade (AUTHOR → ADMIN) does not.
    expect(handed.map((t) => t.targetRole)).toEqual(['READER']);
    expect(summary).toMatchObject({ deferred: 1, roleChanged: 1 });
    expect(updates(wb, [down, up])).toEqual([0, 1]);
    expect(wb.state.get(down.userName)?.role).toBe('AUTHOR');
    const task = await wb.tasks.get(downId as string);
    expect(task).toMatchObject({ status: 'PENDING', attempts: 0 });
    const rows = await outcomeRows(wb, 'apply-h');
    expect(rows.find((r) => r.outcome === 'deferred')?.reason).toMatch(/owns 2 dashboards/);
  });

  it('an IAM Identity Center user is never written: the check cancels it, the stand-in refuses it', async () => {
    const wb = await sandbox.start();
    const idc = wb.state.register({
      userName: 'idc-person@example.org',
      email: 'idc-person@example.org',
      role: 'READER',
      identityType: 'IAM_IDENTITY_CENTER',
    });
    await seedRoleChanges(wb, [idc], 'AUTHOR');
    const beforeDelete = createBeforeDelete({
      settings: {
        protectedRoles: [],
        protectedUsers: [],
        maxDeletions: 10,
        groupRoles: GROUP_ROLES,
      },
      snapshot: undefined,
      idle: IDLE,
      guard: { reserve: async () => 'reserved' as never },
    });
    const checked = await runWorker(workerDeps(wb, { beforeDelete }), options('apply-idc'));
    expect(checked).toMatchObject({ cancelled: 1, calls: 0 });
    expect(updates(wb, [idc])).toEqual([0]);
    // Without the check (a task from an older plan), QuickSight's own refusal fails it, once.
    await seedRoleChangesAgain(wb, idc);
    const refused = await runWorker(workerDeps(wb), options('apply-idc2'));
    expect(refused).toMatchObject({ failed: 1, calls: 1, roleChanged: 0 });
    expect(wb.state.get(idc.userName)?.role).toBe('READER');
  });
});

describe('fault cells: UpdateUser under throttling, 5xx and connection resets', () => {
  // Every call fails (rate 1) until the stand-in has failed FAILED_CALLS of them, then none: the
  // faults certainly hit DescribeUser and UpdateUser calls, and the run certainly gets through.
  const FAILED_CALLS = 4;
  it.each([
    ['throttled', { throttleRate: 1 }],
    ['5xx', { errorRate: 1 }],
    ['reset', { resetRate: 1 }],
  ] as const)('%s: every role changed exactly once, nothing failed', async (_name, faults) => {
    const wb = await sandbox.start();
    const users = named(registerLeavers(wb.state, 3));
    const ids = await seedRoleChanges(wb, users, 'AUTHOR_PRO');
    const c = wb.standIn.faults.counters;
    wb.standIn.faults.configure(faults);
    const run = runWorker(
      workerDeps(wb),
      options('apply-f', { maxAttempts: 20, backoff: { baseMs: 5, capMs: 40 } }),
    );
    while (c.throttled + c.errors + c.resets < FAILED_CALLS) await sleep(2);
    wb.standIn.faults.configure({});
    const summary = await run;
    expect(summary).toMatchObject({ roleChanged: 3, failed: 0 });
    expect(updates(wb, users)).toEqual([1, 1, 1]);
    for (const u of users) expect(wb.state.get(u.userName)?.role).toBe('AUTHOR_PRO');
    const rows = await outcomeRows(wb, 'apply-f');
    expect(rows.filter((r) => r.outcome === 'role_changed')).toHaveLength(3);
    for (const id of ids) expect((await wb.tasks.get(id))?.status).toBe('DONE');
    expect(c.throttled + c.errors + c.resets).toBeGreaterThanOrEqual(FAILED_CALLS);
  });
});

/** The CANCELLED task of `u` replaced by a fresh PENDING one. */
async function seedRoleChangesAgain(wb: WorkerSandbox, u: QuickSightUser): Promise<void> {
  const id = roleTaskIdFor(wb.endpoints.namespace, u);
  const old = (await wb.tasks.get(id)) as Task;
  expect(old.status).toBe('CANCELLED');
  expect(
    await wb.tasks.enqueue({
      ...old,
      runId: 'plan-run-2',
      action: 'change_role',
      targetRole: 'AUTHOR',
    }),
  ).toBe('created');
}

describe('roleChangeVeto: the target is checked again before the call', () => {
  const task = (over: Partial<Task> = {}): Task =>
    pendingTask(
      {
        taskId: 'default#u@example.org#role',
        runId: 'p',
        email: 'u@example.org',
        userName: 'u@example.org',
        arn: 'arn:u',
        role: 'READER',
        identityType: 'QUICKSIGHT',
        source: 'group_role',
        reason: 'r',
        action: 'change_role',
        targetRole: 'AUTHOR',
        ...over,
      },
      '2026-12-01T00:00:00.000Z',
    );
  const view = (groups: string[]): SnapshotView => ({
    runId: 's',
    startedAt: '2026-12-02T00:00:00.000Z',
    members: new Set(['u@example.org']),
    memberGroups: new Map([['u@example.org', groups]]),
    users: new Map(),
    keepRows: [],
  });

  it('proceeds while the groups still give the target role', () => {
    expect(roleChangeVeto(task(), GROUP_ROLES, view(['authors@example.org']))).toBeUndefined();
  });

  it('moved again, out of every mapped group, or the mapping unset: cancelled', () => {
    expect(roleChangeVeto(task(), GROUP_ROLES, view(['readers@example.org']))).toEqual({
      skip: 'the groups now give READER, not AUTHOR: a later plan queues the change',
    });
    expect(roleChangeVeto(task(), GROUP_ROLES, view(['other@example.org']))).toMatchObject({
      skip: expect.stringMatching(/in no group of IDSYNC_GROUP_ROLES now/),
    });
    expect(roleChangeVeto(task(), undefined, view(['authors@example.org']))).toMatchObject({
      skip: expect.stringMatching(/IDSYNC_GROUP_ROLES is not set now/),
    });
  });

  it('no snapshot with the groups: deferred; a deletion task: not this check', () => {
    expect(roleChangeVeto(task(), GROUP_ROLES, undefined)).toMatchObject({
      defer: expect.any(String),
    });
    expect(
      roleChangeVeto(task({ action: undefined, targetRole: undefined }), GROUP_ROLES, undefined),
    ).toBeUndefined();
  });

  it('a protected role is never changed (the before-delete check cancels it)', async () => {
    const check = createBeforeDelete({
      settings: {
        protectedRoles: ['AUTHOR'],
        protectedUsers: [],
        maxDeletions: 10,
        groupRoles: GROUP_ROLES,
      },
      snapshot: view(['readers@example.org']),
      idle: IDLE,
      guard: { reserve: async () => 'reserved' as never },
    });
    expect(await check(task({ role: 'AUTHOR', targetRole: 'READER' }))).toEqual({
      skip: 'protected now: role AUTHOR is protected',
    });
  });
});
