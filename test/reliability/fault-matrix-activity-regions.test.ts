import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import { activityKey, activityUserName, COALESCE_MS } from '../../shared/activity-record.js';
import { cursorKey, DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The fault matrix, part 4 (RELIABILITY.md, "Fault matrix"): `activity sync` over two regions
 * (IDSYNC_ACTIVITY_REGIONS) under CloudTrail faults drawn by the seed.
 * - Region outage: one region (seeded) answers every LookupEvents call with a 5xx, a throttle or
 *   a reset (seeded); the run must exit 4 naming that region, the healthy region's cursor must
 *   reach CloudTrail's now − lag, the account's coverage must not pass the failed region's stored
 *   span; after the outage the rerun exits 0 and every user's newest activity in both regions
 *   equals the generator's.
 * - Clock skew: CloudTrail's clock is set off this machine's by a seeded amount; beyond ±5 minutes
 *   the run must exit 2 and leave every cursor and record as it was; within, exit 0.
 * RELIABILITY_SEED=<n> replays a run.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_207);
const WEST = 'eu-west-1';
const LAG = 15 * 60_000;
const MINUTE = 60_000;

describe(`fault matrix: activity sync region outages and clock skew (seed ${SEED})`, {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;
  let store: DynamoActivityStore;
  let home: string;
  let env: Record<string, string>;
  let shift = 0;
  const random = mulberry32(SEED + 4);
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 4, events: 160 } });
    store = new DynamoActivityStore(t.doc, t.names.activity);
    home = t.sandbox.org.region;
    env = { IDSYNC_ACTIVITY_REGIONS: `${home},${WEST}` };
    await snapshotOk(t.sandbox);
    // The second region holds a copy of every event, moved `shift` later (2–3 hours, seeded,
    // more than the record's one-hour coalescing): its newest activity per user is later.
    shift = (120 + Math.floor(random() * 60)) * MINUTE;
    const moved = t.sandbox.activity.records.map((r) => {
      const record = r as unknown as Record<string, unknown>;
      const at = Date.parse(String(record.eventTime)) + shift;
      return {
        ...record,
        eventID: `west-${String(record.eventID)}`,
        eventTime: new Date(Math.min(at, Date.now() - 2 * LAG)).toISOString().replace('.000', ''),
        awsRegion: WEST,
      };
    });
    t.sandbox.cloudTrailState.add(moved);
  }, 60_000);
  afterAll(async () => {
    if (lines.length > 0)
      console.info(`fault matrix (activity regions), seed ${SEED}:\n  ${lines.join('\n  ')}`);
    await t?.close();
  });

  const sync = () => runCliOn(t.sandbox, ['activity', 'sync', '--days', '90', '--json'], env);
  const rawCursor = async (region: string) =>
    (
      await t.doc.send(
        new GetCommand({ TableName: t.names.activity, Key: { userKey: cursorKey(region) } }),
      )
    ).Item;

  it('region outage: exit 4 naming the region, the other read, coverage held back; the rerun converges', async () => {
    const failing = random() < 0.5 ? home : WEST;
    const healthy = failing === home ? WEST : home;
    const kinds = [{ errorRate: 1 }, { throttleRate: 1 }, { resetRate: 1 }] as const;
    const kind = kinds[Math.floor(random() * kinds.length)] ?? kinds[0];
    const faults = t.sandbox.cloudTrail.faultsFor(failing);
    const bucket = { rate: 2, burst: 2 };
    faults.configure({ bucket, ...kind });
    const hit = faults.counters.calls;
    const out = await sync();
    expect(out.code, out.stderr).toBe(4);
    expect(faults.counters.calls - hit).toBeGreaterThanOrEqual(6);
    expect(out.stderr).toMatch(new RegExp(`CloudTrail failed in ${failing}: `));
    const summary = JSON.parse(out.stdout);
    expect(summary.failed).toEqual([failing]);
    const ok = summary.regions.find((r: { region: string }) => r.region === healthy);
    expect(ok.summary.caughtUp).toBe(true);
    expect(Date.parse(ok.summary.covered.to)).toBeGreaterThan(Date.now() - LAG - MINUTE);
    // Never synced before: the failed region covers nothing, so neither does the account.
    expect(await rawCursor(failing)).toBeUndefined();
    expect(await store.coverage()).toEqual({});
    lines.push(
      `region outage: ${failing} ${Object.keys(kind)[0]} (${faults.counters.calls - hit} calls refused), ${healthy} read ${ok.summary.pages} pages: exit 4, account coverage none`,
    );

    faults.configure({ bucket });
    const rerun = await sync();
    expect(rerun.code, rerun.stderr).toBe(0);
    const after = JSON.parse(rerun.stdout);
    expect(after.failed).toEqual([]);
    expect(Date.parse(after.covered.to)).toBeGreaterThan(Date.now() - LAG - MINUTE);
    // Every user's newest activity is the second region's (the later copy), within coalescing.
    const ns = t.sandbox.org.namespace;
    let checked = 0;
    for (const u of t.sandbox.activity.users) {
      if (!u.lastActiveAt || Date.parse(u.lastActiveAt) + shift > Date.now() - 2 * LAG) continue;
      const qs = t.sandbox.org.people
        .flatMap((p) => p.quickSightUsers)
        .find((p) => p.userName === u.userName);
      const rec = await store.get(activityKey(ns, activityUserName(qs ?? u)));
      const west = Date.parse(u.lastActiveAt) + shift;
      const last = Date.parse(rec?.last?.at ?? '');
      expect(last, u.userName).toBeLessThanOrEqual(west);
      expect(last, u.userName).toBeGreaterThan(west - COALESCE_MS);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
    lines.push(`region outage rerun: exit 0, ${checked} users' newest activity from ${WEST}`);
  });

  it('clock skew: beyond ±5 minutes exit 2 with nothing changed, within it exit 0', async () => {
    const cursorsNow = async () => ({
      home: await rawCursor(home),
      west: await rawCursor(WEST),
      coverage: await store.coverage(),
    });
    const cases = [
      // Refused just past the limit, inside SigV4's 15 minutes (CloudTrail answers; its Date has
      // whole seconds, so 2 s past the limit rather than 1 ms).
      -(5 * MINUTE + 2000),
      5 * MINUTE + 2000,
      // Refused: up to 3 days either way, past SigV4's 15 minutes (seeded amounts).
      -(5 * MINUTE + 1000 + Math.floor(random() * 3 * 86_400_000)),
      5 * MINUTE + 1000 + Math.floor(random() * 3 * 86_400_000),
      // Allowed: within 4 minutes either way.
      Math.floor((random() * 2 - 1) * 4 * MINUTE),
    ];
    for (const skew of cases) {
      // CloudTrail's clock behind by `skew` is this machine ahead by `skew`.
      t.sandbox.cloudTrail.clock.offsetMs = -skew;
      const was = await cursorsNow();
      const out = await sync();
      if (Math.abs(skew) > 5 * MINUTE) {
        expect(out.code, out.stderr).toBe(2);
        expect(out.stderr).toMatch(skew > 0 ? /ahead of CloudTrail's/ : /behind CloudTrail's/);
        expect(await cursorsNow()).toEqual(was);
      } else {
        expect(out.code, out.stderr).toBe(0);
      }
      lines.push(`clock skew ${Math.round(skew / 1000)} s: exit ${out.code}`);
    }
    t.sandbox.cloudTrail.clock.offsetMs = 0;
  });
});
