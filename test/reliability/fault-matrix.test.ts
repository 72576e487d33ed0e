import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSettings } from '../../services/sandbox/http/faults.js';
import { buildOrg, SMALL_SPEC } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import { removePeople } from '../../services/sandbox/sync-simulator.js';
import { activityUserName } from '../../shared/activity-record.js';
import { sleep } from '../../shared/retry.js';
import type { Task } from '../../shared/task.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectConverged as expectConvergedOn, type Ran, spawnIdsync } from './fault-helpers.js';

/**
 * The fault matrix (method and counts in RELIABILITY.md, "Fault matrix").
 *
 * SIGKILL: the real CLI (bin/idsync.js, a child process) runs `snapshot`, `plan`, `apply` and
 * `reconcile --apply` against the in-process sandbox and is killed at a seeded random point of
 * its work (after a random share of its QuickSight/Google calls, of its queued tasks or of its
 * deletions, which this process watches in the sandbox); then one rerun (`apply` after an apply,
 * `reconcile --apply` otherwise) must converge. After every case: each planned deletion happened
 * exactly once (the stand-in counts deletions per user), nothing else was deleted, each deletion
 * has exactly one outcome row (`deleted`, no `already_gone`), and the rerun exited 0 with a
 * summary that counts exactly the deletions left to it.
 *
 * API faults during apply (in-process CLI): QuickSight 5xx bursts, 429 storms, connection resets
 * and stalls; the same invariants, exit 0, nothing failed.
 *
 * RELIABILITY_SEED=<n> replays a run; the seed in use is in the test names.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_202);
const LEAVERS = 6;
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_MAX_DELETION_PERCENT: '100',
  IDSYNC_MAX_DELETIONS: '1000',
  // Longer than a CLI start, so the rerun after a kill during apply waits for the dead leases.
  IDSYNC_LEASE_SECONDS: '4',
  // Slow enough that a kill after the k-th deletion lands before the run ends.
  IDSYNC_RATE: '10',
};

type Command = 'snapshot' | 'plan' | 'apply' | 'reconcile';
const ARGS: Record<Command, string[]> = {
  snapshot: ['snapshot'],
  plan: ['plan'],
  apply: ['apply', '--json'],
  reconcile: ['reconcile', '--apply', '--json'],
};
/** Where a kill may land: during the listings, while tasks are queued, while users are deleted. */
type Phase = 'listing' | 'queuing' | 'deleting';
const PHASES: Record<Command, readonly Phase[]> = {
  snapshot: ['listing'],
  plan: ['queuing'],
  apply: ['deleting'],
  reconcile: ['listing', 'queuing', 'deleting'],
};

describe(`fault matrix on the sandbox (seed ${SEED})`, { timeout: 120_000 }, () => {
  let t: TestSandbox;
  /** Every user a case meant to delete: QuickSight user name → email. */
  const planned = new Map<string, string>();
  const random = mulberry32(SEED);
  /** API calls one snapshot makes (measured on the first): a listing kill lands among them. */
  let snapshotCalls = 1;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  /**
   * The stand-ins' fault draws: seeded, and the first draw after `faultNextCall()` is 0, so a
   * fault window hits its first call for sure (a 0.5 reset rate over 4 deletions missed them all
   * one run in 16); the calls after it are drawn at the case's rate.
   */
  const faultDraws = mulberry32(SEED + 1);
  let forceFault = false;
  const faultRandom = () => {
    if (!forceFault) return faultDraws();
    forceFault = false;
    return 0;
  };
  const faultNextCall = () => {
    forceFault = true;
  };

  beforeAll(async () => {
    // The small organisation with enough Readers for every case's leavers.
    t = await startTestSandbox({
      org: buildOrg({ ...SMALL_SPEC, readers: 80 }, 7),
      random: faultRandom,
    });
    const before = apiCalls();
    await snapshotOk(t.sandbox);
    snapshotCalls = apiCalls() - before;
  }, 120_000);
  /** What each kill hit, printed at the end (RELIABILITY.md quotes a run). */
  const kills: string[] = [];
  const faultCounts: string[] = [];
  afterAll(async () => {
    const lines = [...kills, ...faultCounts];
    if (lines.length > 0) console.info(`fault matrix, seed ${SEED}:\n  ${lines.join('\n  ')}`);
    await t?.close();
  });

  const spawnCli = (args: readonly string[]) => spawnIdsync(t, args, SETTINGS);

  /** People leave their groups; their (single Reader) users are what the next runs must delete. */
  function leave(count: number): string[] {
    const { leavers } = removePeople(t.sandbox.org, {
      count,
      seed: Math.floor(random() * 2 ** 31),
    });
    for (const p of leavers.ordinary)
      for (const u of p.quickSightUsers) planned.set(activityUserName(u), p.email.toLowerCase());
    return leavers.ordinary.map((p) => p.email.toLowerCase());
  }

  const apiCalls = () => {
    const s = t.sandbox;
    return (
      s.quickSight.faults.counters.calls +
      s.identityStore.faults.counters.calls +
      s.google.faults.counters.calls
    );
  };
  const taskRows = async () =>
    (await t.doc.send(new ScanCommand({ TableName: t.names.tasks, Select: 'COUNT' }))).Count ?? 0;
  const deletions = () => t.sandbox.org.quickSight.deletes.size;

  /** Resolves once `phase` is `share` of the way through (as far as this process can see). */
  async function reach(phase: Phase, share: number, run: Promise<Ran>): Promise<string> {
    let ended = false;
    void run.then(() => {
      ended = true;
    });
    const from = { calls: apiCalls(), rows: await taskRows(), deleted: deletions() };
    for (;;) {
      if (ended) return `${phase}: the run ended first`;
      if (
        phase === 'listing' &&
        apiCalls() - from.calls >= 1 + Math.floor(share * (snapshotCalls - 1))
      )
        return `listing: after ${apiCalls() - from.calls} API calls`;
      if (phase === 'queuing' && (await taskRows()) > from.rows)
        return `queuing: after ${(await taskRows()) - from.rows} new tasks`;
      if (
        phase === 'deleting' &&
        deletions() - from.deleted >= Math.max(1, Math.floor(share * LEAVERS))
      )
        return `deleting: after ${deletions() - from.deleted} deletions`;
      await sleep(phase === 'queuing' ? 3 : 2);
    }
  }

  /** Tasks of `emails` by status. */
  async function statusOf(emails: readonly string[]): Promise<Map<string, Task>> {
    const byEmail = new Map<string, Task>();
    const scan = await t.doc.send(new ScanCommand({ TableName: t.names.tasks }));
    for (const item of (scan.Items ?? []) as Task[])
      if (emails.includes(item.email)) byEmail.set(item.email, item);
    return byEmail;
  }

  /** The invariants over everything planned so far (fault-helpers.ts). */
  const expectConverged = () => expectConvergedOn(t, planned);

  // Each command once, at a kill point drawn by the seed (reconcile: its phase too).
  const commands: Command[] = ['snapshot', 'plan', 'apply', 'reconcile'];
  for (const [i, command] of commands.entries()) {
    it(`SIGKILL #${i + 1} during ${command}; one rerun converges`, async () => {
      const emails = leave(LEAVERS);
      if (command === 'apply' || command === 'plan') await snapshotOk(t.sandbox);
      if (command === 'apply') {
        const queued = await runCliOn(t.sandbox, ['plan'], SETTINGS);
        expect(queued.code, queued.stdout).toBe(0);
      }
      const phase = pick(PHASES[command]);
      const share = random();
      const killed = spawnCli(ARGS[command]);
      const point = await reach(phase, share, killed.done);
      killed.child.kill('SIGKILL');
      const end = await killed.done;
      // A run that ended before the kill must have told the truth too.
      if (end.signal !== 'SIGKILL') expect(end.code, `${point}\n${end.stderr}`).toBe(0);
      // Deletions are watched in this process: a kill while deleting always lands mid-run.
      if (phase === 'deleting') expect(end.signal, point).toBe('SIGKILL');

      const before = await statusOf(emails);
      const left = emails.filter((e) => before.get(e)?.status !== 'DONE').length;
      const rerunArgs = command === 'apply' ? ARGS.apply : ARGS.reconcile;
      const rerun = await spawnCli(rerunArgs).done;
      expect(rerun.code, `${point}\n${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      const out = JSON.parse(rerun.stdout);
      const summary = command === 'apply' ? out.summary : out.applied;
      expect(summary, point).toMatchObject({
        deleted: left,
        alreadyGone: 0,
        failed: 0,
        leftPending: 0,
        leftLeased: 0,
      });
      kills.push(
        `${command}: killed (${end.signal ?? `exit ${end.code}`}) at ${point}; rerun deleted ${summary.deleted} of ${emails.length}, waited ${Math.round(summary.waitedMs)} ms`,
      );
      const after = await statusOf(emails);
      expect(emails.map((e) => after.get(e)?.status)).toEqual(emails.map(() => 'DONE'));
      await expectConverged();
    });
  }

  const FAULTS: ReadonlyArray<{
    name: string;
    faults: FaultSettings;
    forMs: number;
    env?: Record<string, string>;
  }> = [
    { name: 'a QuickSight 5xx burst', faults: { errorRate: 0.6 }, forMs: 600 },
    { name: 'a 429 storm', faults: { throttleRate: 0.85 }, forMs: 800 },
    { name: 'connection resets', faults: { resetRate: 0.5 }, forMs: 600 },
    {
      name: 'a stall longer than the request timeout',
      faults: { latencyMs: 4_000 },
      forMs: 300,
      // Honoured by clients with request timeouts: the stalled calls fail and are retried.
      env: { IDSYNC_REQUEST_TIMEOUT_SECONDS: '2' },
    },
  ];
  for (const f of FAULTS) {
    it(`${f.name} during apply: every task done once, exit 0`, async () => {
      leave(4);
      await snapshotOk(t.sandbox);
      const queued = await runCliOn(t.sandbox, ['plan'], SETTINGS);
      expect(queued.code, queued.stdout).toBe(0);
      const qs = t.sandbox.quickSight.faults;
      const before = { ...qs.counters };
      faultNextCall();
      qs.configure(f.faults);
      // The window opens with the apply's first QuickSight call, not with the CLI's start.
      let off: ReturnType<typeof setTimeout> | undefined;
      const opened = setInterval(() => {
        if (qs.counters.calls === before.calls) return;
        clearInterval(opened);
        off = setTimeout(() => qs.configure({}), f.forMs);
      }, 2);
      const run = await runCliOn(t.sandbox, ['apply', '--json'], { ...SETTINGS, ...f.env });
      clearInterval(opened);
      clearTimeout(off);
      qs.configure({});
      forceFault = false;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout).summary;
      expect(summary).toMatchObject({
        deleted: 4,
        alreadyGone: 0,
        failed: 0,
        leftPending: 0,
        leftLeased: 0,
      });
      // The fault really hit the run.
      const hit = qs.counters.errors - before.errors + qs.counters.throttled - before.throttled;
      const resets = qs.counters.resets - before.resets;
      if (f.faults.errorRate || f.faults.throttleRate) expect(hit).toBeGreaterThan(0);
      if (f.faults.resetRate) expect(resets).toBeGreaterThan(0);
      if (f.faults.latencyMs) expect(summary.elapsedMs).toBeGreaterThan(2_000);
      faultCounts.push(
        `${f.name}: ${summary.calls} calls for 4 deletions (${hit} errors or throttles, ${resets} resets), ${(summary.elapsedMs / 1000).toFixed(1)} s`,
      );
      await expectConverged();
    });
  }
});
