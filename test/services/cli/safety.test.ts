import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../services/removals/plan/run-plan.js';
import { buildOrg, SMALL_SPEC } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoEventStore } from '../../../shared/dynamo/event-store.js';
import { DynamoGuardWindow } from '../../../shared/dynamo/guard-table-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { NewTask, Task } from '../../../shared/task.js';
import {
  runCliOn,
  silentLogger,
  snapshotOk,
  startTestSandbox,
  type TestSandbox,
} from '../../helpers/sandbox.js';

/** Protection config, values at the door, all-or-none queuing and dry runs. */
describe('safety rules through the CLI on the sandbox', { timeout: 180_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  let tasks: DynamoTaskStore;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const live = async () => {
    const out: Task[] = [];
    for (const s of ['PENDING', 'BLOCKED', 'FAILED'] as const)
      for await (const page of tasks.byStatus(s)) out.push(...page);
    return out;
  };
  const strangers = () =>
    t.sandbox.org.people
      .filter((p) => p.kind === 'stranger')
      .flatMap((p) => p.quickSightUsers.map((u) => ({ email: p.email, user: u })));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-safety-'));
    t = await startTestSandbox({ org: buildOrg({ ...SMALL_SPEC, readers: 60, strangers: 6 }, 3) });
    await snapshotOk(t.sandbox);
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('protection that would vanish on a typo is a configuration error (exit 2) naming the variable and item', async () => {
    for (const [name, value, item] of [
      ['IDSYNC_PROTECTED_ROLES', ',', 'item 1 is empty'],
      ['IDSYNC_PROTECTED_ROLES', 'ADMINS;AUTHORS', '"ADMINS;AUTHORS"'],
      ['IDSYNC_PROTECTED_USERS', 'a@example.com;b@example.com', '"a@example.com;b@example.com"'],
    ] as const) {
      for (const argv of [['plan'], ['apply'], ['remove', '--csv', '-']]) {
        const result = await runCliOn(t.sandbox, argv, { [name]: value });
        expect(result.code, `${argv[0]} ${name}=${value}`).toBe(2);
        expect(result.stderr).toContain(name);
        expect(result.stderr).toContain(item);
      }
    }
    expect(await live()).toHaveLength(0);
  });

  it('a CSV naming a user with a 5,000-character name queues only the valid deletion and reports the item', async () => {
    const org = t.sandbox.org;
    const [stranger] = strangers();
    if (!stranger) throw new Error('no stranger');
    const big = org.quickSight.register({
      userName: `${'x'.repeat(5_000)}@example.com`,
      email: 'oversized@example.com',
      role: 'READER',
      identityType: 'QUICKSIGHT',
    });
    await snapshotOk(t.sandbox);
    const csv = file(
      'people.csv',
      `email\n${stranger.email}\noversized@example.com\nzero\u200bwidth@example.com\n`,
    );
    const before = org.quickSight.size;
    const result = await runCliOn(t.sandbox, ['remove', '--csv', csv, '--apply', '--json']);
    expect(result.code).toBe(4);
    const out = JSON.parse(result.stdout);
    expect(out.csv.errors).toEqual([
      expect.objectContaining({ line: 4, reason: expect.stringMatching(/U\+200B/) }),
    ]);
    expect(out.plan.plan.counts).toMatchObject({ delete: 1, invalid: 1 });
    const invalid = out.plan.plan.decisions.find(
      (d: { decision: string }) => d.decision === 'invalid',
    );
    expect(invalid.reason).toMatch(/5012 characters long \(at most 512\)/);
    expect(out.applied).toMatchObject({ deleted: 1 });
    expect(org.quickSight.size).toBe(before - 1);
    expect(org.quickSight.get(big.userName)).toBeDefined();
    expect(await live()).toHaveLength(0);
    org.quickSight.delete(big);
    await snapshotOk(t.sandbox);
  });

  it('a plan queues all its tasks or none: a write failing part-way withdraws what this run queued', async () => {
    const runId = 'plan-all-or-none';
    let writes = 0;
    const failing = {
      enqueue: async (task: NewTask, blockReason?: string) => {
        writes++;
        if (writes === 3) throw new Error('DynamoDB went away');
        return tasks.enqueue(task, blockReason);
      },
      cancel: tasks.cancel.bind(tasks),
      byStatus: tasks.byStatus.bind(tasks),
      withdraw: tasks.withdraw.bind(tasks),
    };
    const removals = strangers()
      .slice(1, 5)
      .map((s) => ({ email: s.email, source: 'csv' as const }));
    expect(removals).toHaveLength(4);
    await expect(
      runPlan(
        {
          snapshots: t.stores.snapshots,
          ledger: t.stores.ledger,
          events: new DynamoEventStore(t.doc, t.names.events),
          tasks: failing,
          audit: new DynamoAuditLog(t.doc, t.names.audit),
          logger: silentLogger(),
        },
        {
          runId,
          namespace: t.sandbox.org.namespace,
          settings: {
            maxDeletions: 100,
            maxDeletionPercent: 100,
            protectedRoles: ['ADMIN', 'AUTHOR'],
            protectedUsers: [],
            guardWindowHours: 24,
          },
          includeLeavers: false,
          extraRemovals: removals,
          persistTasks: true,
        },
      ),
    ).rejects.toThrow('DynamoDB went away');
    expect(writes).toBe(3);
    expect((await live()).filter((x) => x.runId === runId)).toHaveLength(0);
  });

  it('dry runs of remove, reconcile and handle-event queue nothing and spend no guard budget', async () => {
    const org = t.sandbox.org;
    const window = new DynamoGuardWindow(t.doc, t.names.guard, 24 * 3_600_000);
    const used = (await window.usage(Date.now())).used;
    const { events } = removePeople(org, { count: 2 });
    const csv = file('dry.csv', `email\n${strangers()[1]?.email}\n`);
    const before = org.quickSight.size;

    const removed = await runCliOn(t.sandbox, ['remove', '--csv', csv, '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).plan.plan.counts.delete).toBe(1);
    const reconciled = await runCliOn(t.sandbox, ['reconcile', '--json']);
    expect(reconciled.code).toBe(0);
    expect(JSON.parse(reconciled.stdout).plan.plan.counts.delete).toBe(2);
    const handled = await runCliOn(t.sandbox, [
      'handle-event',
      file('dry.jsonl', events.map((e) => JSON.stringify(e)).join('\n')),
      '--json',
    ]);
    expect(handled.code).toBe(0);
    expect(JSON.parse(handled.stdout).outcomes.map((o: { status: string }) => o.status)).toEqual([
      'resolved',
      'resolved',
    ]);

    expect(await live()).toHaveLength(0);
    expect((await window.usage(Date.now())).used).toBe(used);
    expect(org.quickSight.size).toBe(before);
    // And a later --apply acts on the same events.
    const applied = await runCliOn(t.sandbox, [
      'handle-event',
      file('apply.jsonl', events.map((e) => JSON.stringify(e)).join('\n')),
      '--apply',
      '--json',
    ]);
    expect(JSON.parse(applied.stdout).applied).toMatchObject({ deleted: 2 });
    expect((await window.usage(Date.now())).used).toBe(used + 2);
  });
  it('a plan writing its tasks many at once still queues all or none (write 20 of 30 fails)', async () => {
    const runId = 'plan-all-or-none-many';
    removePeople(t.sandbox.org, { count: 30 });
    await snapshotOk(t.sandbox);
    let writes = 0;
    let inFlight = 0;
    let most = 0;
    const failing = {
      enqueue: async (task: NewTask, blockReason?: string) => {
        writes++;
        if (writes === 20) throw new Error('DynamoDB went away');
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          return await tasks.enqueue(task, blockReason);
        } finally {
          inFlight--;
        }
      },
      cancel: tasks.cancel.bind(tasks),
      byStatus: tasks.byStatus.bind(tasks),
      withdraw: tasks.withdraw.bind(tasks),
    };
    await expect(
      runPlan(
        {
          snapshots: t.stores.snapshots,
          ledger: t.stores.ledger,
          events: new DynamoEventStore(t.doc, t.names.events),
          tasks: failing,
          audit: new DynamoAuditLog(t.doc, t.names.audit),
          logger: silentLogger(),
        },
        {
          runId,
          namespace: t.sandbox.org.namespace,
          settings: {
            maxDeletions: 100,
            maxDeletionPercent: 100,
            protectedRoles: ['ADMIN', 'AUTHOR'],
            protectedUsers: [],
            guardWindowHours: 24,
          },
          includeLeavers: true,
          persistTasks: true,
        },
      ),
    ).rejects.toThrow('DynamoDB went away');
    // Several writes were in flight at once, never more than 16, and none of them is left.
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
    expect(writes).toBeGreaterThanOrEqual(20);
    expect((await live()).filter((x) => x.runId === runId)).toHaveLength(0);
  });
});
