import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSettings } from '../../services/sandbox/http/faults.js';
import { buildOrg, SMALL_SPEC } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import { removePeople } from '../../services/sandbox/sync-simulator.js';
import { activityUserName } from '../../shared/activity-record.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectConverged, notDone, STACK_LINE, taskRows, until } from './fault-helpers.js';

/**
 * The fault matrix, part 2 (RELIABILITY.md, "Fault matrix"): outages rather
 * than kills. Failing listing pages of IdC, Google and QuickSight during `snapshot` and
 * `reconcile --apply` (a PARTIAL snapshot: exit 3, nothing deleted; once the fault clears a rerun
 * converges), and DynamoDB stopped and restarted in the middle of `apply` and of
 * `reconcile --apply`. The CLI runs in-process (services/cli/main.ts, as bin/idsync.js calls it);
 * the SIGKILL cases of `inactive --apply` and `activity sync` are in fault-matrix-idle.test.ts.
 * After every case, over everything planned so far: each planned deletion done exactly once,
 * nothing else deleted, one `deleted` outcome row per deletion, every run's exit code and
 * summary true. RELIABILITY_SEED=<n> replays a run.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_202);
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_MAX_DELETION_PERCENT: '100',
  IDSYNC_MAX_DELETIONS: '1000',
  IDSYNC_LEASE_SECONDS: '4',
  IDSYNC_RATE: '10',
};

describe(`fault matrix: listing faults and DynamoDB outages (seed ${SEED})`, {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;
  const planned = new Map<string, string>();
  const random = mulberry32(SEED + 1);
  const lines: string[] = [];

  beforeAll(async () => {
    // More than a page of users in every listing (QuickSight and IdC 100 a page, Google 200), so
    // page 2 exists everywhere: a failed page 2 leaves a half-read, not an empty, listing.
    t = await startTestSandbox({ org: buildOrg({ ...SMALL_SPEC, readers: 210 }, 11) });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    if (lines.length > 0)
      console.info(`fault matrix (outages), seed ${SEED}:\n  ${lines.join('\n  ')}`);
    await t?.close();
  });

  function leave(count: number): string[] {
    const { leavers } = removePeople(t.sandbox.org, {
      count,
      seed: Math.floor(random() * 2 ** 31),
    });
    for (const p of leavers.ordinary)
      for (const u of p.quickSightUsers) planned.set(activityUserName(u), p.email.toLowerCase());
    return leavers.ordinary.map((p) => p.email.toLowerCase());
  }
  const deletions = () => t.sandbox.org.quickSight.deletes.size;
  const run = (argv: string[]) => runCliOn(t.sandbox, argv, SETTINGS);
  /** The last line a run wrote to stderr (what an operator reads; its message under --json). */
  const said = (r: { stderr: string }) => {
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    try {
      return String(JSON.parse(line).error.message);
    } catch {
      return line;
    }
  };
  const clean = (r: { stdout: string; stderr: string }) => {
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(STACK_LINE);
  };

  const LISTINGS: ReadonlyArray<{
    service: 'identityStore' | 'google' | 'quickSight';
    command: 'snapshot' | 'reconcile';
  }> = [
    { service: 'identityStore', command: 'snapshot' },
    { service: 'google', command: 'reconcile' },
    { service: 'quickSight', command: 'reconcile' },
  ];
  for (const { service, command } of LISTINGS) {
    it(`page 2 of the ${service} listings fails during ${command}: PARTIAL, exit 3, nothing deleted; rerun converges`, async () => {
      const emails = leave(3);
      const faults = t.sandbox[service].faults;
      const errorsBefore = faults.counters.errors;
      const deletedBefore = deletions();
      faults.configure({ failPage: { page: 2 } } satisfies FaultSettings);
      let partial: Awaited<ReturnType<typeof run>>;
      try {
        partial = await run(
          command === 'snapshot' ? ['snapshot'] : ['reconcile', '--apply', '--json'],
        );
      } finally {
        faults.configure({});
      }
      const failed = faults.counters.errors - errorsBefore;
      expect(failed, 'the fault hit the run').toBeGreaterThan(0);
      expect(partial.code, partial.stdout + partial.stderr).toBe(3);
      expect(`${partial.stdout}${partial.stderr}`).toMatch(/PARTIAL/);
      clean(partial);
      expect(deletions()).toBe(deletedBefore);
      // Nothing was queued from the half-read snapshot either.
      const queued = (await taskRows(t)).filter((task) => emails.includes(task.email));
      expect(queued).toEqual([]);

      const rerun = await run(['reconcile', '--apply', '--json']);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      const summary = JSON.parse(rerun.stdout).applied;
      expect(summary).toMatchObject({ deleted: 3, alreadyGone: 0, failed: 0, leftPending: 0 });
      lines.push(
        `${service} page 2 failing during ${command}: exit 3 after ${failed} failed calls, 0 deleted; rerun deleted ${summary.deleted} of 3`,
      );
      await expectConverged(t, planned);
    });
  }

  /** Stops DynamoDB when `at` holds during `argv`, restarts it `downMs` later. */
  async function outage(
    argv: string[],
    at: () => Promise<string | undefined>,
    downMs: number,
  ): Promise<{ ran: Awaited<ReturnType<typeof run>>; point: string | undefined }> {
    const running = run(argv);
    const point = await until(running, at);
    if (point !== undefined) {
      await t.sandbox.dynamo.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await t.sandbox.dynamo.start();
    }
    return { ran: await running, point };
  }

  it('DynamoDB stopped and restarted mid-apply: the run tells the truth; a rerun converges', async () => {
    const emails = leave(6);
    await snapshotOk(t.sandbox);
    const queued = await run(['plan']);
    expect(queued.code, queued.stdout).toBe(0);
    const keys = new Set([...planned].filter(([, e]) => emails.includes(e)).map(([k]) => k));
    const from = deletions();
    const downMs = 300 + Math.floor(random() * 700);
    const { ran, point } = await outage(
      ['apply', '--json'],
      async () => (deletions() - from >= 2 ? `after ${deletions() - from} deletions` : undefined),
      downMs,
    );
    expect(point, 'the outage landed mid-apply').toBeDefined();
    clean(ran);
    const left = await notDone(t, keys);
    // Exit 0 only with every task done; otherwise 5 (DynamoDB unreachable) or 4 (items failed).
    if (ran.code === 0) expect(left).toBe(0);
    else expect([4, 5]).toContain(ran.code);
    if (ran.code === 5) expect(said(ran)).toMatch(/DynamoDB/);
    const rerun = await run(['apply', '--json']);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout).summary;
    expect(summary).toMatchObject({
      deleted: left,
      alreadyGone: 0,
      failed: 0,
      leftPending: 0,
      leftLeased: 0,
    });
    expect(await notDone(t, keys)).toBe(0);
    lines.push(
      `DynamoDB down ${downMs} ms ${point} of apply: exit ${ran.code} (${said(ran)}); rerun deleted ${summary.deleted} of ${keys.size} (${summary.alreadyGone} already gone), waited ${Math.round(summary.waitedMs)} ms`,
    );
    await expectConverged(t, planned);
  });

  it('DynamoDB stopped and restarted mid-reconcile --apply (while queuing): nothing half-queued runs; a rerun converges', async () => {
    const emails = leave(6);
    const keys = new Set([...planned].filter(([, e]) => emails.includes(e)).map(([k]) => k));
    const rowsBefore = (await taskRows(t)).length;
    const from = deletions();
    const downMs = 300 + Math.floor(random() * 700);
    const { ran, point } = await outage(
      ['reconcile', '--apply', '--json'],
      async () => {
        const rows = (await taskRows(t)).length - rowsBefore;
        return rows > 0 ? `after ${rows} new task rows` : undefined;
      },
      downMs,
    );
    clean(ran);
    const left = await notDone(t, keys);
    if (ran.code === 0) expect(left).toBe(0);
    else expect([4, 5]).toContain(ran.code);
    if (ran.code === 5) expect(said(ran)).toMatch(/DynamoDB/);
    const deletedByFaulted = deletions() - from;
    const rerun = await run(['reconcile', '--apply', '--json']);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout).applied;
    expect(summary).toMatchObject({ alreadyGone: 0, failed: 0, leftPending: 0, leftLeased: 0 });
    expect(summary.deleted + deletedByFaulted).toBe(keys.size);
    expect(await notDone(t, keys)).toBe(0);
    lines.push(
      `DynamoDB down ${downMs} ms ${point ?? '(run ended first)'} of reconcile --apply: exit ${ran.code} (${said(ran)}), ${deletedByFaulted} deleted; rerun deleted ${summary.deleted} of ${keys.size}`,
    );
    await expectConverged(t, planned);
  });
});
