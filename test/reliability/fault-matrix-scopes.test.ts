import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import type { QuickSightState } from '../../services/sandbox/state/quicksight-state.js';
import { removeFromGroups } from '../../services/sandbox/sync-simulator.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { STACK_LINE, spawnIdsync, until } from './fault-helpers.js';

/**
 * A second QuickSight account's deletion under SIGKILL (the sandbox's `multi-quicksight`
 * layout): the real CLI (bin/idsync.js) runs `reconcile --apply` for a leaver whose seat is in
 * the second account (reached through its role) and is killed the moment that account's stand-in
 * has deleted the user, before the worker's outcome row and final state; the rerun (`apply`,
 * after the lease) settles the task: DONE, exactly one outcome row (with the task's scope), one
 * DeleteUser in that account, none of that user's name in any other.
 */

const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_LEASE_SECONDS: '2',
  IDSYNC_MAX_DELETION_PERCENT: '50',
};

describe('a second account’s task under SIGKILL', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let other: QuickSightState;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), layout: 'multi-quicksight' });
    other = t.sandbox.org.moreQuickSight?.[1] as QuickSightState;
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('killed between the second account’s DeleteUser and its writes: the rerun settles it with one row', async () => {
    const org = t.sandbox.org;
    const person = org.people.find(
      (p) => p.kind === 'reader' && other.list().some((u) => u.email === p.email),
    );
    if (!person) throw new Error('no reader with a seat in the second account');
    const user = other.list().find((u) => u.email === person.email);
    const userName = user?.userName ?? '';
    const taskId = `${other.accountId}/default#${userName}`;
    removeFromGroups(org, [person.email], { now: new Date(Date.now() + 2_000) });
    t.sandbox.quickSight.faults.configure({ latencyMs: 150 });

    const first = spawnIdsync(t, ['reconcile', '--apply', '--json'], SETTINGS);
    const reached = await until(first.done, () => (other.get(userName) ? undefined : 'deleted'));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(reached, killed.stderr).toBe('deleted');
    expect(killed.signal).toBe('SIGKILL');
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    // The task and its decision row were durable before the call.
    expect(await tasks.get(taskId)).toMatchObject({
      attempts: 1,
      scope: `${other.accountId}/default`,
    });

    await new Promise((r) => setTimeout(r, 2_100));
    t.sandbox.quickSight.faults.configure({});
    const rerun = spawnIdsync(t, ['apply', '--json'], SETTINGS);
    const ran = await rerun.done;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(STACK_LINE);
    expect(await tasks.get(taskId)).toMatchObject({ status: 'DONE' });
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    const rows = [];
    for await (const page of audit.byEmail(person.email)) rows.push(...page);
    const outcomes = rows.filter((r) => r.kind === 'outcome' && r.detail?.taskId === taskId);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.scope).toBe(`${other.accountId}/default`);
    expect(['deleted', 'not_found']).toContain(outcomes[0]?.outcome);
    expect(other.deletes.get(userName)).toBe(1);
    expect(org.quickSight.get(userName)).toBeUndefined();
    expect(org.quickSight.deletes.get(userName)).toBe(1);
  });
});
