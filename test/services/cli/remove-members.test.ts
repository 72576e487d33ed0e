import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { taskIdFor } from '../../../shared/task.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `remove --csv` deletes what the operator listed, members of a configured group included;
 * `--keep-members` defers them. The worker's re-join veto follows the task's source.
 */

interface Decision {
  email: string;
  decision: string;
  reason: string;
  member?: boolean;
}

describe('idsync remove --csv with people still in a group', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-members-'));
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  const plainReaders = () =>
    t.sandbox.org.people.filter(
      (p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1,
    );

  function csvOf(name: string, emails: readonly string[]): string {
    const path = join(dir, name);
    writeFileSync(path, ['email', ...emails].join('\n'));
    return path;
  }

  it('deletes listed members by default, saying so and counting them; --keep-members defers them', async () => {
    const listed = plainReaders().slice(0, 3);
    const path = csvOf(
      'members.csv',
      listed.map((p) => p.email),
    );

    const kept = await runCliOn(t.sandbox, ['remove', '--csv', path, '--keep-members', '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    const keptPlan = JSON.parse(kept.stdout).plan.plan;
    expect(keptPlan.counts).toMatchObject({ delete: 0, deferred: 3 });
    for (const d of keptPlan.decisions as Decision[]) {
      expect(d.reason).toContain('is still in a configured group (--keep-members)');
      expect(d.reason).not.toContain('re-joined');
    }
    const keptApply = await runCliOn(t.sandbox, [
      'remove',
      '--csv',
      path,
      '--keep-members',
      '--apply',
    ]);
    expect(keptApply.code, keptApply.stderr).toBe(0);
    expect(t.sandbox.org.quickSight.deletes.size).toBe(0);

    const text = await runCliOn(t.sandbox, ['remove', '--csv', path]);
    expect(text.stdout).toMatch(
      /3 of the deletions are of people still in a configured group \(deleted as listed; --keep-members keeps them\)/,
    );
    const planned = await runCliOn(t.sandbox, ['remove', '--csv', path, '--json']);
    const plan = JSON.parse(planned.stdout).plan.plan;
    expect(plan.counts).toMatchObject({ delete: 3, deferred: 0 });
    for (const d of plan.decisions as Decision[]) {
      expect(d.member).toBe(true);
      expect(d.reason).toContain('is still in a configured group: deleted as listed');
      expect(d.reason).not.toContain('re-joined');
    }

    const applied = await runCliOn(t.sandbox, ['remove', '--csv', path, '--apply', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).applied.deleted).toBe(3);
    const deleted = [...t.sandbox.org.quickSight.deletes.keys()].sort();
    expect(deleted).toEqual(listed.map((p) => p.quickSightUsers[0]?.userName).sort());
  });

  it('the re-join veto before a delete applies to leavers and --keep-members CSV tasks only', async () => {
    const [a, b, c, d] = plainReaders().slice(3, 7);
    if (!a || !b || !c || !d) throw new Error('not enough readers');
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const ns = t.sandbox.org.namespace;
    const queue = async (p: typeof a, source: string, keepMembers?: boolean): Promise<string> => {
      const user = p.quickSightUsers[0];
      if (!user) throw new Error('no user');
      const taskId = taskIdFor(ns, user);
      await tasks.enqueue({
        taskId,
        runId: 'queued-before-the-snapshot',
        email: p.email,
        userName: user.userName,
        arn: user.arn,
        role: user.role,
        identityType: user.identityType,
        ...(user.principalId ? { principalId: user.principalId } : {}),
        source,
        reason: `queued as ${source}`,
        ...(keepMembers ? { keepMembers } : {}),
      });
      return user.userName;
    };
    const leaver = await queue(a, 'group_removal');
    const csvKeep = await queue(b, 'csv', true);
    const csv = await queue(c, 'csv');
    const idle = await queue(d, 'inactive');
    // The idle task is judged again before its call: a fresh record shows d idle for 70 days.
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    const day = 86_400_000;
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    await coverActivity(activity, [t.sandbox.org.region], {
      from: ago(90 * day),
      to: ago(15 * 60_000),
    });
    await activity.recordActivity(ns, idle, {
      at: ago(70 * day),
      eventName: 'GetDashboard',
      source: 'cloudtrail',
    });
    // A snapshot taken after the tasks were queued lists all four as members.
    await new Promise((r) => setTimeout(r, 5));
    await snapshotOk(t.sandbox);
    const before = new Set(t.sandbox.org.quickSight.deletes.keys());
    const run = await runCliOn(t.sandbox, ['apply', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const now = [...t.sandbox.org.quickSight.deletes.keys()].filter((k) => !before.has(k)).sort();
    expect(now).toEqual([csv, idle].sort());
    for (const name of [leaver, csvKeep]) {
      const task = await tasks.get(taskIdFor(ns, { userName: name }));
      expect(task?.status).toBe('CANCELLED');
    }
  });
});
