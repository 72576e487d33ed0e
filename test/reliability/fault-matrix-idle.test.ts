import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrg, SMALL_SPEC } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import { COALESCE_MS } from '../../shared/activity-record.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { tableNames } from '../../shared/tables.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectConverged, notDone, STACK_LINE, spawnIdsync, until } from './fault-helpers.js';

/**
 * The fault matrix, part 3 (RELIABILITY.md, "Fault matrix"): SIGKILL
 * of the real CLI (bin/idsync.js, a child process) during `activity sync` and during
 * `inactive --apply`, at a seeded point this process watches in the sandbox (after the k-th
 * LookupEvents call; after the k-th QuickSight deletion). After the rerun:
 * - `activity sync` missed no event: every user's record (newest and oldest activity, creation
 *   evidence) and the covered span equal those of one uninterrupted sync of the same CloudTrail
 *   into separate tables (prefix `ref`);
 * - `inactive --apply` deleted every idle Reader its dry run planned exactly once, nothing else,
 *   one `deleted` outcome row each, and the rerun's summary counts exactly what was left to it.
 * RELIABILITY_SEED=<n> replays a run.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_202);
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_MAX_DELETION_PERCENT: '100',
  IDSYNC_MAX_DELETIONS: '1000',
  IDSYNC_LEASE_SECONDS: '4',
  IDSYNC_RATE: '10',
};
const REF = { ...SETTINGS, IDSYNC_TABLE_PREFIX: 'ref' };
const SYNC = ['activity', 'sync', '--days', '90', '--json'];
const INACTIVE = ['inactive', '--days', '60', '--json'];

interface Seen {
  last?: string;
  lastEvent?: string;
  first?: string;
  created?: string;
}

describe(`fault matrix: SIGKILL during activity sync and inactive --apply (seed ${SEED})`, {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;
  const random = mulberry32(SEED + 2);
  const lines: string[] = [];
  /** LookupEvents calls one full sync makes (measured on the reference sync). */
  let syncCalls = 0;

  beforeAll(async () => {
    // 60 Readers, ~40 % of them idle; 250 QuickSight events: 5+ LookupEvents pages.
    t = await startTestSandbox({
      org: buildOrg({ ...SMALL_SPEC, readers: 60 }, 13),
      activity: { seed: 3, events: 250 },
    });
    await snapshotOk(t.sandbox);
    // The reference: one uninterrupted sync of the same CloudTrail into tables of their own.
    for (const argv of [['init-tables'], ['snapshot']]) {
      const r = await runCliOn(t.sandbox, argv, REF);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const calls = t.sandbox.cloudTrail.faults.counters.calls;
    const ref = await runCliOn(t.sandbox, SYNC, REF);
    expect(ref.code, ref.stderr).toBe(0);
    syncCalls = t.sandbox.cloudTrail.faults.counters.calls - calls;
    expect(syncCalls).toBeGreaterThanOrEqual(3);
  }, 120_000);
  afterAll(async () => {
    if (lines.length > 0)
      console.info(`fault matrix (idle), seed ${SEED}:\n  ${lines.join('\n  ')}`);
    await t?.close();
  });

  async function records(prefix: string): Promise<{ users: Map<string, Seen>; covered: unknown }> {
    const store = new DynamoActivityStore(t.doc, tableNames(prefix).activity);
    const users = new Map<string, Seen>();
    for await (const page of store.all())
      for (const r of page)
        users.set(r.userKey, {
          ...(r.last ? { last: r.last.at, lastEvent: r.last.eventName } : {}),
          ...(r.first ? { first: r.first.at } : {}),
          ...(r.created ? { created: r.created.at } : {}),
        });
    return { users, covered: (await store.coverage()).cloudtrail?.from };
  }

  it('SIGKILL during activity sync: the rerun resumes and misses no event', async () => {
    const k = 1 + Math.floor(random() * (syncCalls - 1));
    const from = t.sandbox.cloudTrail.faults.counters.calls;
    const killed = spawnIdsync(t, SYNC, SETTINGS);
    const point = await until(killed.done, () => {
      const n = t.sandbox.cloudTrail.faults.counters.calls - from;
      return n >= k ? `after ${n} of ${syncCalls} LookupEvents calls` : undefined;
    });
    killed.child.kill('SIGKILL');
    const end = await killed.done;
    expect(point, 'the kill landed mid-sync').toBeDefined();
    expect(end.signal).toBe('SIGKILL');

    const rerun = await runCliOn(t.sandbox, SYNC, SETTINGS);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(`${rerun.stdout}${rerun.stderr}`).not.toMatch(STACK_LINE);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.caughtUp).toBe(true);

    const got = await records('idsync');
    const want = await records('ref');
    expect(got.users.size).toBeGreaterThan(20);
    expect([...got.users.keys()].sort()).toEqual([...want.users.keys()].sort());
    for (const [key, seen] of want.users) {
      const mine = got.users.get(key) as Seen;
      // Newest activity and creation evidence exactly; the oldest up to the coalescing window
      // (a write is skipped when the stored time differs by less than an hour).
      expect({ key, last: mine.last, created: mine.created }).toEqual({
        key,
        last: seen.last,
        created: seen.created,
      });
      if (seen.first !== undefined) {
        const gap = Math.abs(Date.parse(mine.first ?? '') - Date.parse(seen.first));
        expect(gap, key).toBeLessThanOrEqual(COALESCE_MS);
      }
    }
    expect(got.covered).toBeDefined();
    expect(
      Math.abs(Date.parse(String(got.covered)) - Date.parse(String(want.covered))),
    ).toBeLessThan(120_000);
    // Twice changes nothing.
    const again = await runCliOn(t.sandbox, SYNC, SETTINGS);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).written).toBe(0);
    lines.push(
      `activity sync: killed at ${point}; rerun read ${summary.pages} pages (${summary.events} events), ${got.users.size} records equal to an uninterrupted sync`,
    );
  });

  it('SIGKILL during inactive --apply: the rerun deletes every idle Reader exactly once', async () => {
    const dry = await runCliOn(t.sandbox, INACTIVE, SETTINGS);
    expect(dry.code, dry.stderr).toBe(0);
    const decisions = JSON.parse(dry.stdout).plan.plan.decisions as Array<{
      decision: string;
      email: string;
      quickSightUser?: { userName: string; principalId?: string };
    }>;
    const planned = new Map<string, string>();
    for (const d of decisions)
      if (d.decision === 'delete' && d.quickSightUser) {
        const u = d.quickSightUser;
        planned.set(u.userName === 'N/A' ? `N/A#${u.principalId}` : u.userName, d.email);
      }
    expect(planned.size).toBeGreaterThanOrEqual(10);
    const keys = new Set(planned.keys());
    const deletions = () => t.sandbox.org.quickSight.deletes.size;
    const k = 1 + Math.floor(random() * (planned.size - 1));

    const killed = spawnIdsync(t, [...INACTIVE, '--apply'], SETTINGS);
    const point = await until(killed.done, () =>
      deletions() >= k ? `after ${deletions()} of ${planned.size} deletions` : undefined,
    );
    killed.child.kill('SIGKILL');
    const end = await killed.done;
    expect(point, 'the kill landed mid-apply').toBeDefined();
    expect(end.signal).toBe('SIGKILL');

    const left = await notDone(t, keys);
    const rerun = await runCliOn(t.sandbox, [...INACTIVE, '--apply'], SETTINGS);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout).applied;
    expect(summary).toMatchObject({
      deleted: left,
      alreadyGone: 0,
      failed: 0,
      leftPending: 0,
      leftLeased: 0,
    });
    expect(await notDone(t, keys)).toBe(0);
    lines.push(
      `inactive --apply: killed at ${point}; rerun deleted ${summary.deleted} of ${planned.size}, waited ${Math.round(summary.waitedMs)} ms`,
    );
    await expectConverged(t, planned);
  });
});
