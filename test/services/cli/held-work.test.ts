import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPages } from '../../../services/audit/audit-pages.js';
import { bucketReports } from '../../../services/review/review-wiring.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { createS3Client } from '../../../shared/aws/clients.js';
import { S3Reports } from '../../../shared/aws/s3-reports.js';
import { loadConfig } from '../../../shared/config/index.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoGuardWindow } from '../../../shared/dynamo/guard-table-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { GUARD_TRIPPED_PREFIX } from '../../../shared/held-work.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import type { Task } from '../../../shared/task.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Held work is never silent (shared/held-work.ts): a guard trip leaves its deletions held, and
 * `status`, `apply` (dry run and real) and `reconcile` show them, exit 3 and name the exact next
 * command, until they are released. A dry run never advises releasing what it did not queue.
 */

const TRIP = { IDSYNC_MAX_DELETION_PERCENT: '100', IDSYNC_MAX_DELETIONS: '1' };

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('held work on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let tasks: DynamoTaskStore;
  let releaseRunId = '';

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => t?.close());

  it('a guard trip leaves held tasks that status, apply and reconcile show (exit 3) until released', async () => {
    const { leavers } = removePeople(t.sandbox.org, { count: 3, seed: 5 });
    await snapshotOk(t.sandbox);
    const plan = await runCliOn(t.sandbox, ['plan'], TRIP);
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(/GUARD TRIPPED/);
    expect(plan.stdout).toContain(
      'The deletions are held as BLOCKED tasks (3 new, 0 already queued): idsync status lists them; release them with idsync apply --max-deletions 3.',
    );
    const held: Task[] = await collect(tasks.byStatus('BLOCKED'));
    expect(held.map((h) => h.email).sort()).toEqual(
      leavers.ordinary.map((p) => p.email.toLowerCase()).sort(),
    );
    expect(held.every((h) => h.blockReason?.startsWith(GUARD_TRIPPED_PREFIX))).toBe(true);

    const status = await runCliOn(t.sandbox, ['status'], TRIP);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(
      /held by the guard \(whole plan or QuickSight account stopped\): 3, oldest \d+ s/,
    );
    expect(status.stdout).toContain('next: idsync apply --max-deletions 3');
    for (const h of held) expect(status.stdout).toContain(h.email);
    const statusJson = JSON.parse((await runCliOn(t.sandbox, ['status', '--json'], TRIP)).stdout);
    expect(statusJson).toMatchObject({ held: 3, groups: { guardHeld: { count: 3 } } });

    const dry = await runCliOn(t.sandbox, ['apply', '--dry-run'], TRIP);
    expect(dry.code).toBe(3);
    expect(dry.stdout).toContain('No queued deletions.');
    expect(dry.stdout).toContain('HELD: 3 removals are held');
    expect(dry.stdout).toContain(
      '3 held by the guard (whole plan or QuickSight account stopped): idsync apply --max-deletions 3',
    );

    const apply = await runCliOn(t.sandbox, ['apply'], TRIP);
    expect(apply.code).toBe(3);
    expect(apply.stdout).toMatch(/applied: 0 deleted/);
    expect(apply.stdout).toContain('HELD: 3 removals are held');

    const reconcile = await runCliOn(t.sandbox, ['reconcile', '--apply'], TRIP);
    expect(reconcile.code).toBe(3);
    expect(reconcile.stdout).toContain('HELD: 3 removals are held');
    expect(reconcile.stdout).toContain('3 already queued');

    const deletesOf = (h: Task) => t.sandbox.org.quickSight.deletes.get(h.userName) ?? 0;
    expect(held.map(deletesOf)).toEqual([0, 0, 0]);

    // The exact next command releases them; afterwards nothing is held and status exits 0.
    const release = await runCliOn(t.sandbox, ['apply', '--max-deletions', '3', '--json'], TRIP);
    expect(release.code, release.stdout + release.stderr).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({
      summary: { deleted: 3 },
      held: { total: 0 },
    });
    expect(held.map(deletesOf)).toEqual([1, 1, 1]);
    releaseRunId = JSON.parse(release.stdout).runId;
    const after = await runCliOn(t.sandbox, ['status'], TRIP);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/no removal is queued, running or held/);
  });

  it('a review report stored in the reports bucket is what idsync report --run reads; another run comes from the audit', async () => {
    const s3 = new S3Reports(
      createS3Client(loadConfig([], t.sandbox.env).aws),
      t.sandbox.operators.reportsBucket,
    );
    // Stored as the review stores its final report (services/review/review-wiring.ts).
    const html = await auditPages({
      audit: new DynamoAuditLog(t.doc, t.names.audit),
      doc: t.doc,
      names: t.names,
    }).ofRun(releaseRunId, { prices: DEFAULT_PRICES, dryRun: false });
    expect(html).toMatch(/idsync removed 3 QuickSight users/);
    await bucketReports(s3, 600).put(releaseRunId, [
      { name: 'final.html', body: html as string, contentType: 'text/html' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'idsync-report-'));
    try {
      const out = join(dir, 'r.html');
      const read = await runCliOn(t.sandbox, ['report', '--run', releaseRunId, '--out', out]);
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout).toContain(
        `(from s3://${t.sandbox.operators.reportsBucket}/runs/${releaseRunId}/report.html)`,
      );
      expect(readFileSync(out, 'utf8')).toBe(html);
      // The plan run that held them stored nothing: its report is built from the audit table.
      const planRun = (await collect(tasks.byStatus('DONE')))[0]?.runId ?? '';
      const local = await runCliOn(t.sandbox, ['report', '--run', planRun, '--out', out]);
      expect(local.code, local.stderr).toBe(0);
      expect(local.stdout).toMatch(
        new RegExp(`^report of run ${planRun}: .*r\\.html\n  decisions:`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a dry run whose deletions the guard window would block advises no release of tasks it did not queue', async () => {
    // Three deletions reserved in the window (by another run): with a budget of 3, one more is blocked.
    const window = new DynamoGuardWindow(t.doc, t.names.guard, 24 * 3600_000);
    for (const id of ['other#1', 'other#2', 'other#3']) await window.reserve(id, 100, Date.now());
    removePeople(t.sandbox.org, { count: 1, seed: 9 });
    const dry = await runCliOn(t.sandbox, ['reconcile'], {
      IDSYNC_MAX_DELETION_PERCENT: '100',
      IDSYNC_MAX_DELETIONS: '3',
    });
    expect(dry.stdout).toMatch(
      /GUARD WINDOW: 1 deletions exceed the budget of 3 .* would be BLOCKED \(this run queued nothing\)/,
    );
    expect(dry.stdout).not.toContain('idsync apply --max-deletions');
    expect(dry.stdout).toContain(
      'With --apply they are queued BLOCKED; to delete them in that run too, add --max-deletions 1.',
    );
    expect(await collect(tasks.byStatus('BLOCKED'))).toEqual([]);
  });
});
