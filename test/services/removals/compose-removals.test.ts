import { describe, expect, it, vi } from 'vitest';
import {
  composeRemovals,
  type RemovalsClients,
} from '../../../services/removals/compose-removals.js';
import { loadConfig } from '../../../shared/config/index.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { SnapshotManifest } from '../../../shared/dynamo/snapshot-store.js';
import { createLogger } from '../../../shared/logger.js';
import type { Task } from '../../../shared/task.js';

/**
 * The composition root builds the removals module once; dry run is how it is built. A dry-run
 * composition plans (audit rows written) but queues nothing, and its apply lists the tasks it
 * would run without ever making a QuickSight client. The stores here are in memory: what is
 * asserted is which of their writes the module makes.
 */

const env = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012' };
const config = loadConfig(['plan', 'quicksight', 'worker', 'inactive', 'activity'], env);

const reader: QuickSightUser = {
  userName: 'READER/a@example.com',
  email: 'a@example.com',
  role: 'READER',
  identityType: 'QUICKSIGHT',
  arn: 'arn:aws:quicksight:us-east-1:123456789012:user/default/READER/a@example.com',
};
const latest = {
  runId: 'snap-1',
  startedAt: '2026-12-01T00:00:00.000Z',
  status: 'COMPLETE',
  sources: { google: { groups: { 'readers@example.com': 1 } } },
} as unknown as SnapshotManifest;
const queued = { taskId: 't-1', runId: 'old', email: 'q@example.com' } as Task;

function memoryClients() {
  const enqueue = vi.fn(async (_task: Task) => 'created' as const);
  const appendBatched = vi.fn(async () => {});
  const quickSight = vi.fn(() => {
    throw new Error('no QuickSight client in a dry run');
  });
  const stores = {
    doc: { send: async () => ({}) },
    names: { guard: 'guard', activity: 'activity' },
    snapshots: {
      latestComplete: async () => [latest],
      async *googleRows() {
        yield [{ group: 'readers@example.com', email: 'b@example.com', rawEmail: 'b@example.com' }];
      },
      async *quickSightUsers() {
        yield [reader];
      },
      async *keepGroupRows() {},
    },
    ledger: { async *entries() {} },
    events: { pending: async () => [], markPlanned: async () => {} },
    tasks: {
      enqueue,
      cancel: async () => false,
      withdraw: async () => false,
      async *byStatus() {},
      async *claimable() {
        yield [queued];
      },
    },
    audit: { appendBatched },
    identities: {},
  };
  const clients = {
    stores,
    logger: createLogger({ level: 'silent' }),
    quickSight,
  } as unknown as RemovalsClients;
  return { clients, enqueue, appendBatched, quickSight };
}

const removal = { email: 'a@example.com', source: 'csv' as const, detail: 'CSV line 2' };
/** One deletion of one QuickSight user is over the 10 % guard: allowed for the run. */
const override = { maxDeletions: 1 };

describe('composeRemovals', () => {
  it('a dry-run composition plans without queuing and applies by listing, with no QuickSight client', async () => {
    const m = memoryClients();
    const removals = composeRemovals(config, m.clients, { dryRun: true, idle: config });
    const ran = await removals.run({
      kind: 'removals',
      runId: 'r-1',
      override,
      removals: [removal],
    });
    expect(ran.plan.plan.counts.delete).toBe(1);
    expect(ran.summary).toBeUndefined();
    expect(m.appendBatched).toHaveBeenCalledTimes(1);
    expect(m.enqueue).not.toHaveBeenCalled();
    const applied = await removals.apply({ kind: 'queued', runId: 'r-2', leased: 'wait' });
    expect(applied).toEqual({ dryRun: true, tasks: [queued] });
    expect(m.quickSight).not.toHaveBeenCalled();
    expect(removals.dryRun).toBe(true);
  });

  it('a composition that is no dry run queues a task per delete', async () => {
    const m = memoryClients();
    const removals = composeRemovals(config, m.clients, { dryRun: false, idle: config });
    const plan = await removals.plan({
      kind: 'removals',
      runId: 'r-1',
      override,
      removals: [removal],
    });
    expect(plan.tasks.created).toBe(1);
    expect(m.enqueue).toHaveBeenCalledTimes(1);
    expect(m.enqueue.mock.calls[0]?.[0]).toMatchObject({
      runId: 'r-1',
      userName: reader.userName,
      source: 'csv',
    });
  });

  it("lists exactly the worker Lambda's tasks in a dry run", async () => {
    const m = memoryClients();
    const removals = composeRemovals(config, m.clients, { dryRun: true, idle: config });
    const named = [{ ...queued, taskId: 't-9' }];
    expect(await removals.apply({ kind: 'tasks', runId: 'r-3', tasks: named })).toEqual({
      dryRun: true,
      tasks: named,
    });
    expect(m.quickSight).not.toHaveBeenCalled();
  });

  it('a dry run says what each task would do: delete, change the role, take out of the group', async () => {
    const m = memoryClients();
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(JSON.parse(line).msg) },
    });
    const removals = composeRemovals(config, m.clients, { dryRun: true, idle: config });
    const base = { ...queued, userName: 'reader/q', role: 'AUTHOR' };
    const named: Task[] = [
      { ...base, taskId: 't-d' },
      { ...base, taskId: 't-r', action: 'change_role', targetRole: 'READER' },
      { ...base, taskId: 't-g', action: 'leave_group', group: 'authors@example.com' },
    ];
    await removals.apply({ kind: 'tasks', runId: 'r-4', tasks: named, logger });
    expect(lines).toEqual([
      'dry run: would delete',
      'dry run: would change the role of reader/q from AUTHOR to READER',
      'dry run: would take q@example.com out of authors@example.com',
    ]);
    expect(m.quickSight).not.toHaveBeenCalled();
  });

  it('a composition that only plans (no worker section) refuses to apply', async () => {
    const m = memoryClients();
    const planOnly = loadConfig(['plan', 'quicksight'], env);
    const removals = composeRemovals(planOnly, m.clients, { dryRun: false });
    await expect(
      removals.apply({ kind: 'queued', runId: 'r-4', leased: 'report' }),
    ).rejects.toThrow(/composed to plan only/);
    expect(m.quickSight).not.toHaveBeenCalled();
  });

  it("plans a review's removals for approval: nothing queued, the guard gives way, audit rows only when asked", async () => {
    const m = memoryClients();
    const removals = composeRemovals(config, m.clients, { dryRun: false });
    const at = new Date('2026-12-07T10:00:00.000Z');
    const dry = await removals.plan({
      kind: 'review',
      runId: 'rv-1',
      removals: [removal],
      at,
      audit: false,
    });
    // One deletion of the only QuickSight user trips the 10 % guard of an ordinary plan.
    expect(dry.plan.guard.tripped).toBe(false);
    expect(dry.plan.counts.delete).toBe(1);
    expect(m.appendBatched).not.toHaveBeenCalled();
    expect(m.enqueue).not.toHaveBeenCalled();
    await removals.plan({ kind: 'review', runId: 'rv-1', removals: [removal], at, audit: true });
    expect(m.appendBatched).toHaveBeenCalledTimes(1);
    expect(m.enqueue).not.toHaveBeenCalled();
    const ordinary = await removals.plan({ kind: 'removals', runId: 'r-5', removals: [removal] });
    expect(ordinary.plan.guard.tripped).toBe(true);
  });

  it("a run's scope is the tasks of that plan run and the tasks named with it", async () => {
    const m = memoryClients();
    const removals = composeRemovals(config, m.clients, { dryRun: true, idle: config });
    const scope = (of: string, alsoTaskIds: string[]) =>
      removals.apply({ kind: 'run', runId: 'r-6', of, alsoTaskIds });
    expect(await scope('old', [])).toEqual({ dryRun: true, tasks: [queued] });
    expect(await scope('other', [queued.taskId])).toEqual({ dryRun: true, tasks: [queued] });
    expect(await scope('other', [])).toEqual({ dryRun: true, tasks: [] });
  });
});
