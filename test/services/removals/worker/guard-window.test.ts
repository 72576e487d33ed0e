import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../../../services/events/handler.js';
import { buildOrg, SMALL_SPEC } from '../../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../../services/sandbox/sync-simulator.js';
import { createWorkerHandler } from '../../../../services/worker/handler.js';
import { MemoryTaskQueue } from '../../../../shared/aws/sqs-task-messages.js';
import { DynamoAuditLog } from '../../../../shared/dynamo/audit-store.js';
import { DynamoGuardWindow } from '../../../../shared/dynamo/guard-table-store.js';
import { DynamoTaskStore } from '../../../../shared/dynamo/task-store.js';
import type { Task, TaskStatus } from '../../../../shared/task.js';
import { captureLogs, contextWith, sqsEvent } from '../../../helpers/lambda.js';
import {
  runCliOn,
  snapshotOk,
  startTestSandbox,
  type TestSandbox,
} from '../../../helpers/sandbox.js';

const HOUR = 3_600_000;

/**
 * One guard across runs: every deletion by any command or Lambda takes a slot of the
 * rolling window in DynamoDB; once IDSYNC_MAX_DELETIONS slots are taken, further deletions are
 * BLOCKED (kept) until the operator releases them for one run. Sandbox, real SDK clients.
 */
describe('the cross-run guard window on the sandbox', { timeout: 180_000 }, () => {
  let t: TestSandbox;
  let tasks: DynamoTaskStore;

  beforeAll(async () => {
    t = await startTestSandbox({ org: buildOrg({ ...SMALL_SPEC, readers: 80 }, 11) });
    await snapshotOk(t.sandbox);
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
  });
  afterAll(async () => t?.close());

  const byStatus = async (status: TaskStatus) => {
    const out: Task[] = [];
    for await (const page of tasks.byStatus(status)) out.push(...page);
    return out;
  };
  const afterSnapshot = () => new Date(Date.now() + 2_000);

  it('30 separate one-event runs with IDSYNC_MAX_DELETIONS=10 delete 10; the rest stay BLOCKED until released', async () => {
    const org = t.sandbox.org;
    const env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent', IDSYNC_MAX_DELETIONS: '10' };
    const queue = new MemoryTaskQueue();
    const logs = captureLogs();
    const handle = createEventsHandler(
      { ...env, IDSYNC_LOG_LEVEL: 'info' },
      { queue, logDestination: logs.stream },
    );
    const worker = createWorkerHandler(
      { ...env, IDSYNC_APPLY: 'true' },
      { logDestination: captureLogs().stream },
    );
    const before = org.quickSight.size;
    let tripped = 0;
    for (let run = 0; run < 30; run++) {
      const { events } = removePeople(org, { count: 1 }, { now: afterSnapshot() });
      const summary = await handle(events[0]);
      expect(summary.removals).toBe(1);
      if (summary.guardTripped) tripped++;
      const messages = queue.drain();
      if (messages.length > 0) await worker(sqsEvent(messages), contextWith(60_000));
    }
    expect(before - org.quickSight.size).toBe(10);
    expect(tripped).toBe(20);
    expect(logs.metrics().filter((m) => m.GuardTripped === 1)).toHaveLength(20);
    const blocked = await byStatus('BLOCKED');
    expect(blocked).toHaveLength(20);
    expect(blocked[0]?.blockReason).toContain(
      'guard window: 10 of 10 deletions used in the last 24 h',
    );
    const window = new DynamoGuardWindow(t.doc, t.names.guard, 24 * HOUR);
    expect((await window.usage(Date.now())).used).toBe(10);

    // Nothing runs them without the operator: a plain apply leaves them BLOCKED, and says so
    // (exit 3, how many are held and the exact command).
    const plain = await runCliOn(t.sandbox, ['apply'], { IDSYNC_MAX_DELETIONS: '10' });
    expect(plain.code).toBe(3);
    expect(plain.stdout).toContain('HELD: 20 removals are held');
    expect(plain.stdout).toContain(
      '20 blocked (guard window budget spent): idsync apply --max-deletions 20',
    );
    expect(org.quickSight.size).toBe(before - 10);
    expect(await byStatus('BLOCKED')).toHaveLength(20);

    // The explicit release, for one run.
    const released = await runCliOn(t.sandbox, ['apply', '--max-deletions', '20'], {
      IDSYNC_MAX_DELETIONS: '10',
    });
    expect(released.stdout).toMatch(/applied: 20 deleted/);
    expect(released.code).toBe(0);
    expect(before - org.quickSight.size).toBe(30);
    expect(await byStatus('BLOCKED')).toHaveLength(0);
    expect((await window.usage(Date.now())).used).toBe(30);
  });

  it('two concurrent reservers never pass the limit together (optimistic, version-checked)', async () => {
    const a = new DynamoGuardWindow(t.doc, t.names.guard, HOUR);
    const b = new DynamoGuardWindow(t.doc, t.names.guard, HOUR);
    const now = Date.now();
    const used = (await a.usage(now)).used;
    const limit = used + 7;
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? a : b).reserve(`default#concurrent-${i}`, limit, now),
      ),
    );
    expect(answers.filter((x) => x === 'reserved')).toHaveLength(7);
    expect(answers.filter((x) => x === 'refused')).toHaveLength(17);
    expect((await a.usage(now)).used).toBe(limit);
    // A task holds one slot: asking again is 'held', not a second slot.
    const mine = answers.indexOf('reserved');
    expect(await b.reserve(`default#concurrent-${mine}`, limit, now)).toBe('held');
  });

  it('hundreds of reservations in flight at once (three processes) all get an answer, never more than the limit', async () => {
    const stores = [0, 1, 2].map(() => new DynamoGuardWindow(t.doc, t.names.guard, HOUR));
    const now = Date.now();
    const limit = (await (stores[0] as DynamoGuardWindow).usage(now)).used + 150;
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (stores[i % 3] as DynamoGuardWindow).reserve(`default#burst-${i}`, limit, now),
      ),
    );
    expect(answers.filter((x) => x === 'reserved')).toHaveLength(150);
    expect(answers.filter((x) => x === 'refused')).toHaveLength(150);
    expect((await (stores[1] as DynamoGuardWindow).usage(now)).used).toBe(limit);
  });

  it('two concurrent apply runs together delete no more than the budget left; the rest is BLOCKED (exit 3)', async () => {
    const org = t.sandbox.org;
    const window = new DynamoGuardWindow(t.doc, t.names.guard, 24 * HOUR);
    const used = (await window.usage(Date.now())).used;
    const max = String(used + 5);
    removePeople(org, { count: 12 });
    await snapshotOk(t.sandbox);
    // The plan may queue them all (its own override); the worker's slots still bound the runs.
    const planned = await runCliOn(t.sandbox, ['plan', '--max-deletions', '12', '--json'], {
      IDSYNC_MAX_DELETIONS: max,
    });
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout);
    expect(plan.tasks).toMatchObject({ created: 12, blocked: 0 });
    expect(plan.window).toMatchObject({ used, limit: used + 5, hours: 24 });
    const before = org.quickSight.size;
    const runs = await Promise.all([
      runCliOn(t.sandbox, ['apply'], { IDSYNC_MAX_DELETIONS: max }),
      runCliOn(t.sandbox, ['apply'], { IDSYNC_MAX_DELETIONS: max }),
    ]);
    expect(before - org.quickSight.size).toBe(5);
    expect(await byStatus('BLOCKED')).toHaveLength(7);
    expect(runs.some((r) => r.code === 3)).toBe(true);
    const text = runs.map((r) => r.stdout).join('\n');
    expect(text).toMatch(/GUARD: \d+ deletions were BLOCKED/);
    expect(text).toMatch(/idsync apply --max-deletions \d+/);
  });

  it('a task whose user became protected after planning is skipped before the call', async () => {
    const org = t.sandbox.org;
    // Release what the previous test left, so only the new task is pending.
    await runCliOn(t.sandbox, ['apply', '--max-deletions', '7']);
    const { leavers } = removePeople(org, { count: 2 });
    await snapshotOk(t.sandbox);
    const planned = await runCliOn(t.sandbox, ['plan', '--max-deletions', '2', '--json']);
    expect(JSON.parse(planned.stdout).tasks.created).toBe(2);
    const [first, second] = leavers.emails;
    const before = org.quickSight.size;
    const applied = await runCliOn(t.sandbox, ['apply', '--max-deletions', '2', '--json'], {
      IDSYNC_PROTECTED_USERS: `${first},someone@example.com`,
    });
    expect(applied.code).toBe(0);
    const out = JSON.parse(applied.stdout);
    expect(out.summary).toMatchObject({ deleted: 1, cancelled: 1 });
    expect(before - org.quickSight.size).toBe(1);
    expect((await byStatus('CANCELLED')).some((x) => x.email === first)).toBe(true);
    const rows = [];
    for await (const page of new DynamoAuditLog(t.doc, t.names.audit).byRun(out.runId))
      rows.push(...page);
    expect(rows.find((r) => r.email === first)).toMatchObject({
      kind: 'outcome',
      outcome: 'cancelled',
      reason: `protected now: ${first} is in the protected users`,
    });
    expect((await byStatus('DONE')).some((x) => x.email === second)).toBe(true);
  });

  it('the worker Lambda blocks a task when the window is spent: BLOCKED, audit row, GuardTripped 1, message acknowledged', async () => {
    const org = t.sandbox.org;
    removePeople(org, { count: 1 });
    await snapshotOk(t.sandbox);
    const planned = JSON.parse(
      (await runCliOn(t.sandbox, ['plan', '--max-deletions', '5', '--json'])).stdout,
    );
    const ids = planned.tasks.createdTaskIds as string[];
    expect(ids.length).toBeGreaterThan(0);
    const logs = captureLogs();
    const worker = createWorkerHandler(
      {
        ...t.sandbox.env,
        IDSYNC_LOG_LEVEL: 'info',
        IDSYNC_APPLY: 'true',
        IDSYNC_MAX_DELETIONS: '1',
      },
      { logDestination: logs.stream },
    );
    const before = org.quickSight.size;
    const answer = await worker(
      sqsEvent(
        ids.map((taskId, i) => ({
          messageId: `m-${i}`,
          body: JSON.stringify({ v: 1, taskId, runId: 'r' }),
        })),
      ),
      contextWith(60_000),
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(org.quickSight.size).toBe(before);
    for (const taskId of ids) {
      const task = await tasks.get(taskId);
      expect(task).toMatchObject({ status: 'BLOCKED' });
      expect(task?.blockReason).toMatch(/budget of 1 deletions/);
    }
    expect(logs.metrics().at(-1)).toMatchObject({ GuardTripped: 1, FailedItems: 0 });
  });
});
