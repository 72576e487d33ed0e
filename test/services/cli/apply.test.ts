import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSummary } from '../../../services/cli/format-applied.js';
import { emptyCounts, summarize } from '../../../services/removals/worker/progress.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { DynamoAuditLog, type StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { Task } from '../../../shared/task.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync apply` on the sandbox: it applies the queued tasks, `--dry-run`
 * lists them, and a run that finds tasks leased by a worker that died waits for them (or, with
 * `--no-wait`, says how many are left and exits 4), never printing a clean summary over them.
 */

const GUARD = { IDSYNC_MAX_DELETION_PERCENT: '100', IDSYNC_MAX_DELETIONS: '1000' };

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('idsync apply on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let tasks: DynamoTaskStore;
  let audit: DynamoAuditLog;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    audit = new DynamoAuditLog(t.doc, t.names.audit);
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => t?.close());

  /** `count` people leave; snapshot and plan queue their tasks; returns the PENDING tasks. */
  async function queueLeavers(count: number, seed: number): Promise<Task[]> {
    const { leavers } = removePeople(t.sandbox.org, { count, seed });
    await snapshotOk(t.sandbox);
    const planned = await runCliOn(t.sandbox, ['plan'], GUARD);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    const pending = await collect(tasks.byStatus('PENDING'));
    expect(pending.map((p) => p.email).sort()).toEqual(
      leavers.ordinary.map((p) => p.email.toLowerCase()).sort(),
    );
    return pending;
  }

  const deletesOf = (task: Task) => t.sandbox.org.quickSight.deletes.get(task.userName) ?? 0;

  it('apply deletes the queued tasks; --dry-run only lists them', async () => {
    const queued = await queueLeavers(3, 11);
    const dry = await runCliOn(t.sandbox, ['apply', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: 3 queued deletions would run \(nothing deleted\)/);
    expect(queued.map(deletesOf)).toEqual([0, 0, 0]);

    const applied = await runCliOn(t.sandbox, ['apply', '--json']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const out = JSON.parse(applied.stdout);
    expect(out.summary).toMatchObject({ deleted: 3, failed: 0, leftPending: 0, leftLeased: 0 });
    expect(queued.map(deletesOf)).toEqual([1, 1, 1]);
    const after = await Promise.all(queued.map((q) => tasks.get(q.taskId)));
    expect(after.map((a) => a?.status)).toEqual(['DONE', 'DONE', 'DONE']);
  });

  it('tasks leased by a dead worker: --no-wait exits 4 naming them; apply waits, takes them over and counts them', async () => {
    const queued = await queueLeavers(3, 23);
    // A worker claimed all three with a short lease, counted its call for the first one, made
    // that call (the user is gone) and died before it recorded anything. The lease outlives the
    // start of the --no-wait process even on a loaded machine (1.5 s once did not).
    const leaseMs = 5_000;
    const now = Date.now();
    for (const q of queued)
      expect(
        await tasks.claim(q.taskId, 'dead-host:1:apply-dead', leaseMs, now, 'apply-dead'),
      ).toBeDefined();
    const [first] = queued as [Task, ...Task[]];
    expect(await tasks.renew(first.taskId, 'dead-host:1:apply-dead', leaseMs, now, 1)).toBe(true);
    expect(await t.ports.quickSight.deleteUser(first.userName)).toBe('deleted');

    const noWait = await runCliOn(t.sandbox, ['apply', '--no-wait']);
    expect(noWait.code).toBe(4);
    expect(noWait.stdout).toMatch(
      /NOT FINISHED: 3 leased by another worker until \S+\. Run idsync apply again after/,
    );
    expect(noWait.stdout).not.toMatch(/^applied: 3 deleted/m);

    const waited = await runCliOn(t.sandbox, ['apply', '--json']);
    expect(waited.code, waited.stdout + waited.stderr).toBe(0);
    const summary = JSON.parse(waited.stdout).summary;
    expect(summary).toMatchObject({
      deleted: 3,
      alreadyGone: 0,
      failed: 0,
      leftPending: 0,
      leftLeased: 0,
    });
    expect(summary.waitedMs).toBeGreaterThan(0);
    expect(queued.map(deletesOf)).toEqual([1, 1, 1]);

    // The dead worker's deletion is recorded as idsync's, confirmed on the retry; one row each.
    for (const q of queued) {
      const rows = (await collect(audit.byEmail(q.email))).filter(
        (r: StoredAuditRecord) => r.kind === 'outcome',
      );
      expect(rows.map((r) => r.outcome)).toEqual(['deleted']);
      expect(rows[0]?.detail?.confirmedOnRetry).toBe(q.taskId === first.taskId ? true : undefined);
    }
  });
});

describe('the apply summary', () => {
  const base = { ...emptyCounts(), total: 5, deleted: 3, calls: 3 };
  it('names deferred idle deletions, why, and the exact commands to run next', () => {
    const reason =
      'the activity record ends at 2026-12-07T07:00:00.000Z, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync';
    const text = formatSummary(
      summarize({ ...base, deferred: 2, leftPending: 2 }, 2_000, false, { deferReason: reason }),
    );
    expect(text).toMatch(/^applied: 3 deleted, .*, 2 deferred$/m);
    expect(text).toContain(
      `DEFERRED: 2 idle deletions were not judged again, so not made: ${reason}.`,
    );
    expect(text).toMatch(/^ {4}idsync activity sync\n {4}idsync apply$/m);
    // The deferred tasks are the pending ones: not announced as work to rerun at once.
    expect(text).not.toMatch(/NOT FINISHED/);
    const more = formatSummary(summarize({ ...base, deferred: 2, leftPending: 3 }, 2_000, false));
    expect(more).toMatch(/NOT FINISHED: 1 still pending/);
  });

  it('reads clean only when nothing is left', () => {
    const clean = formatSummary(summarize(base, 2_000, false));
    expect(clean).toMatch(/^applied: 3 deleted/);
    expect(clean).not.toMatch(/NOT FINISHED/);
  });
  it('names what is pending or leased and when to rerun', () => {
    const freeAt = Date.parse('2026-12-02T18:00:20Z');
    const text = formatSummary(
      summarize({ ...base, leftPending: 1, leftLeased: 2 }, 2_000, false, {
        waitedMs: 3_000,
        leaseFreeAt: freeAt,
      }),
    );
    expect(text).toMatch(/waited 3 s for tasks leased by another worker/);
    expect(text).toMatch(
      /NOT FINISHED: 1 still pending, 2 leased by another worker until 2026-12-02T18:00:20.000Z\. Run idsync apply again after 2026-12-02T18:00:20.000Z/,
    );
    const stopped = formatSummary(summarize({ ...base, released: 2, leftPending: 2 }, 1, true));
    expect(stopped).toMatch(/^applied: 3 deleted, .* 0 failed \(stopped\)$/m);
    expect(stopped).toMatch(/^NOT FINISHED: 2 still pending\. Run idsync apply again now\.$/m);
  });
});
