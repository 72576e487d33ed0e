import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import {
  isClaimable,
  isLeased,
  type NewTask,
  TASK_STATUSES,
  type Task,
  taskIdFor,
} from '../../../shared/task.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
let store: DynamoTaskStore;
beforeAll(async () => {
  t = await startTestTables();
  store = new DynamoTaskStore(t.doc, t.names.tasks);
});
afterAll(async () => t.close());

const FAR_FUTURE = Date.parse('2100-01-01T00:00:00Z');
const ROLE = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
let counter = 0;
function newTask(overrides: Partial<NewTask> = {}): NewTask {
  const email = `person${counter++}@example.com`;
  const userName = `${ROLE}/${email}`;
  return {
    taskId: taskIdFor('default', { userName }),
    runId: 'plan-1',
    email,
    userName,
    arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${userName}`,
    role: 'READER',
    identityType: 'IAM',
    source: 'leaver',
    reason: 'left quicksight-readers@example.com',
    ...overrides,
  };
}

async function collect(pages: AsyncIterable<Task[]>): Promise<Task[]> {
  const out: Task[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('taskIdFor', () => {
  it('keys by user name, or by principal id for users named N/A', () => {
    expect(taskIdFor('default', { userName: 'Role/a@example.com' })).toBe(
      'default#Role/a@example.com',
    );
    expect(taskIdFor('ns', { userName: 'N/A', principalId: 'p-1' })).toBe('ns#N/A#p-1');
  });

  it('never maps two different users to one task', () => {
    const user = fc.record({
      userName: fc.oneof(fc.constant('N/A'), fc.string({ minLength: 1 })),
      principalId: fc.string({ minLength: 1 }),
    });
    fc.assert(
      fc.property(user, user, (a, b) => {
        const same =
          a.userName === b.userName && (a.userName !== 'N/A' || a.principalId === b.principalId);
        fc.pre(!same && !a.userName.startsWith('N/A#') && !b.userName.startsWith('N/A#'));
        expect(taskIdFor('default', a)).not.toBe(taskIdFor('default', b));
      }),
    );
  });
});

describe('DynamoTaskStore', () => {
  it('enqueues once: a second enqueue of a live task is "exists" and changes nothing', async () => {
    const task = newTask();
    expect(await store.enqueue(task)).toBe('created');
    expect(await store.enqueue({ ...task, runId: 'plan-2', reason: 'other' })).toBe('exists');
    const stored = await store.get(task.taskId);
    expect(stored).toMatchObject({ status: 'PENDING', attempts: 0, runId: 'plan-1' });
    expect(stored?.principalId).toBeUndefined();
  });

  it('lets two owners race for a task: exactly one claim wins', async () => {
    const task = newTask();
    await store.enqueue(task);
    const now = Date.now();
    const claims = await Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map((owner) => store.claim(task.taskId, owner, 60_000, now)),
    );
    const winners = claims.filter((c) => c !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ status: 'IN_PROGRESS', leaseUntil: now + 60_000 });
    const loser = ['w1', 'w2', 'w3', 'w4'].find((o) => o !== winners[0]?.leaseOwner) as string;
    expect(await store.complete(task.taskId, loser, 'deleted', 1)).toBe(false);
  });

  it('re-claims an expired lease; the old owner can no longer finish the task', async () => {
    const task = newTask();
    await store.enqueue(task);
    const t0 = 1_000_000;
    expect(await store.claim(task.taskId, 'dead', 2_000, t0)).toBeDefined();
    expect(await store.claim(task.taskId, 'fresh', 2_000, t0 + 1_999)).toBeUndefined();
    const ids = async (now: number) => (await collect(store.claimable(now))).map((x) => x.taskId);
    expect(await ids(t0 + 1_999)).not.toContain(task.taskId);
    expect(await ids(t0 + 2_001)).toContain(task.taskId);
    expect(await store.claim(task.taskId, 'fresh', 2_000, t0 + 2_001)).toMatchObject({
      leaseOwner: 'fresh',
    });
    expect(await store.complete(task.taskId, 'dead', 'deleted', 1)).toBe(false);
    expect(await store.renew(task.taskId, 'dead', 2_000, t0 + 2_002)).toBe(false);
    expect(await store.renew(task.taskId, 'fresh', 5_000, t0 + 2_002)).toBe(true);
    expect(await store.complete(task.taskId, 'fresh', 'deleted', 2)).toBe(true);
    expect(await store.get(task.taskId)).toMatchObject({
      status: 'DONE',
      outcome: 'deleted',
      attempts: 2,
    });
  });

  it("does not replace a task that became DONE after the plan's snapshot started", async () => {
    const task = newTask();
    const before = new Date(Date.now() - 60_000).toISOString();
    await store.enqueue(task);
    await store.claim(task.taskId, 'w', 1_000, 0);
    await store.complete(task.taskId, 'w', 'deleted', 1);
    // A plan from a snapshot taken before the deletion lists the deleted user: not re-queued.
    expect(await store.enqueue({ ...task, runId: 'plan-stale' }, undefined, before)).toBe('exists');
    expect(await store.get(task.taskId)).toMatchObject({ status: 'DONE', outcome: 'deleted' });
    // A snapshot started after the deletion lists a re-created user: queued again.
    const after = new Date(Date.now() + 1_000).toISOString();
    expect(await store.enqueue({ ...task, runId: 'plan-new' }, undefined, after)).toBe('created');
    expect(await store.get(task.taskId)).toMatchObject({ status: 'PENDING', runId: 'plan-new' });
  });

  it('never lets a DONE task be claimed, even long after', async () => {
    const task = newTask();
    await store.enqueue(task);
    await store.claim(task.taskId, 'w', 1_000, 0);
    await store.complete(task.taskId, 'w', 'already_gone', 1);
    expect(await store.claim(task.taskId, 'w2', 1_000, FAR_FUTURE)).toBeUndefined();
    const claimable = await collect(store.claimable(FAR_FUTURE));
    expect(claimable.map((x) => x.taskId)).not.toContain(task.taskId);
    // A re-created user may be deleted again: a DONE task is replaced by a new one.
    expect(await store.enqueue({ ...task, runId: 'plan-9' })).toBe('created');
    expect(await store.get(task.taskId)).toMatchObject({
      status: 'PENDING',
      runId: 'plan-9',
      attempts: 0,
    });
  });

  it('cancels only a task that has not started', async () => {
    const pending = newTask();
    await store.enqueue(pending);
    expect(await store.cancel(pending.taskId, 'rejoined quicksight-readers@example.com')).toBe(
      true,
    );
    expect(await store.get(pending.taskId)).toMatchObject({
      status: 'CANCELLED',
      outcome: 'cancelled',
      cancelReason: 'rejoined quicksight-readers@example.com',
    });
    expect(await store.claim(pending.taskId, 'w', 1_000, 0)).toBeUndefined();
    expect(await store.cancel(pending.taskId, 'again')).toBe(false);

    const running = newTask();
    await store.enqueue(running);
    await store.claim(running.taskId, 'w', 60_000, Date.now());
    expect(await store.cancel(running.taskId, 'too late')).toBe(false);
    expect((await store.get(running.taskId))?.status).toBe('IN_PROGRESS');

    expect(await store.cancel('default#nobody', 'absent')).toBe(false);
  });

  it('fails, re-claims a FAILED task, releases back to PENDING', async () => {
    const task = newTask();
    await store.enqueue(task);
    await store.claim(task.taskId, 'w', 60_000, 0);
    expect(await store.fail(task.taskId, 'w', 'AccessDeniedException', 1)).toBe(true);
    expect(await store.get(task.taskId)).toMatchObject({
      status: 'FAILED',
      lastError: 'AccessDeniedException',
    });
    const failed = await collect(store.byStatus('FAILED'));
    expect(failed.map((x) => x.taskId)).toContain(task.taskId);
    expect(await store.enqueue(task)).toBe('exists');
    expect(await store.claim(task.taskId, 'w2', 60_000, 0)).toBeDefined();
    expect(await store.release(task.taskId, 'w2', 3)).toBe(true);
    const released = await store.get(task.taskId);
    expect(released).toMatchObject({ status: 'PENDING', attempts: 3 });
    expect(released?.leaseOwner).toBeUndefined();
    expect(released?.leaseUntil).toBeUndefined();
  });

  it('lists claimable tasks of every claimable status, oldest first per status', async () => {
    const local = new DynamoTaskStore(t.doc, t.names.tasks);
    const times = [
      '2030-01-01T00:00:03.000Z',
      '2030-01-01T00:00:01.000Z',
      '2030-01-01T00:00:02.000Z',
    ];
    const tasks = times.map((createdAt) => newTask({ createdAt }));
    for (const task of tasks) await local.enqueue(task);
    const pending = (await collect(local.byStatus('PENDING'))).filter((x) =>
      x.createdAt.startsWith('2030'),
    );
    expect(pending.map((x) => x.createdAt)).toEqual([...times].sort());
  });

  it('keeps one execution across a take-over, counts calls on renew, starts a new one after fail/release', async () => {
    const task = newTask();
    await store.enqueue(task);
    const first = await store.claim(task.taskId, 'a', 1_000, 10_000, 'run-a');
    expect(first).toMatchObject({ execRunId: 'run-a', status: 'IN_PROGRESS' });
    expect(await store.renew(task.taskId, 'a', 1_000, 10_100, 1)).toBe(true);
    expect((await store.get(task.taskId))?.attempts).toBe(1);
    // Owner a died; b takes the expired lease over: the execution (and its outcome key) goes on.
    const taken = await store.claim(task.taskId, 'b', 1_000, 20_000, 'run-b');
    expect(taken).toMatchObject({ execRunId: 'run-a', execAt: first?.execAt, attempts: 1 });
    expect(await store.fail(task.taskId, 'b', 'boom', 2)).toBe(true);
    expect((await store.get(task.taskId))?.execRunId).toBeUndefined();
    expect((await store.claim(task.taskId, 'c', 1_000, 30_000, 'run-c'))?.execRunId).toBe('run-c');
    expect(await store.release(task.taskId, 'c', 2)).toBe(true);
    expect((await store.get(task.taskId))?.execRunId).toBeUndefined();
  });

  it('lists leased tasks apart from claimable ones, as isLeased and isClaimable say', async () => {
    const local = new DynamoTaskStore(t.doc, t.names.tasks);
    const live = newTask();
    const expired = newTask();
    for (const x of [live, expired]) await local.enqueue(x);
    await local.claim(live.taskId, 'w', 60_000, FAR_FUTURE, 'r');
    await local.claim(expired.taskId, 'w', 1, 1_000, 'r');
    const now = FAR_FUTURE + 1_000;
    const leased = (await collect(local.leased(now))).map((x) => x.taskId);
    const claimable = (await collect(local.claimable(now))).map((x) => x.taskId);
    expect(leased).toContain(live.taskId);
    expect(leased).not.toContain(expired.taskId);
    expect(claimable).toContain(expired.taskId);
    expect(claimable).not.toContain(live.taskId);
  });
});

describe('isClaimable / isLeased', () => {
  it('split every task into claimable, leased or neither, never both', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TASK_STATUSES),
        fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 2_000 }),
        (status, leaseUntil, now) => {
          const task = { status, ...(leaseUntil === undefined ? {} : { leaseUntil }) };
          const claimable = isClaimable(task, now);
          const leased = isLeased(task, now);
          expect(claimable && leased).toBe(false);
          if (status === 'PENDING' || status === 'FAILED') expect(claimable).toBe(true);
          if (status === 'DONE' || status === 'CANCELLED') expect(claimable || leased).toBe(false);
          if (status === 'IN_PROGRESS') expect(claimable || leased).toBe(true);
        },
      ),
    );
  });
});
