import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudTrailQuickSightLookup,
  NextTokenRefusedError,
  serviceTimeOfFailure,
} from '../../../services/activity/cloudtrail-lookup.js';
import { CloudTrailState } from '../../../services/sandbox/cloudtrail/cloudtrail-state.js';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { startCloudTrailStandIn } from '../../../services/sandbox/cloudtrail/stand-in.js';
import type { StandIn } from '../../../services/sandbox/http/stand-in.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import { TEST_CREDENTIALS } from '../../helpers/dynamo.js';
import { FAST_RETRY } from '../../helpers/sandbox.js';

const NOW = Date.now();
const random = mulberry32(8);
const state = new CloudTrailState();
state.add(
  Array.from({ length: 120 }, (_, i) =>
    quickSightEvent({
      accountId: '123456789012',
      region: 'us-east-1',
      time: new Date(NOW - (i + 1) * 60_000),
      eventName: 'GetDashboard',
      actor: { kind: 'federated', roleName: 'R', session: `u${i}@example.com` },
      random,
    }),
  ),
);

let standIn: StandIn;
let client: CloudTrailClient;
beforeAll(async () => {
  standIn = await startCloudTrailStandIn(state);
  client = new CloudTrailClient({
    region: 'us-east-1',
    endpoint: standIn.endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});

const window = { from: new Date(NOW - 86_400_000), to: new Date(NOW) };

describe('CloudTrailQuickSightLookup (real client, stand-in at 2 calls/s)', () => {
  it('pages QuickSight events at 2 calls a second without a throttle', async () => {
    const lookup = new CloudTrailQuickSightLookup(client);
    const before = { ...standIn.faults.counters };
    const started = performance.now();
    const seen: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await lookup.lookup({ ...window, ...(nextToken ? { nextToken } : {}) });
      seen.push(...page.records);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toHaveLength(120);
    expect(lookup.stats).toMatchObject({ calls: 3, retries: 0, throttled: 0 });
    expect(standIn.faults.counters.throttled - before.throttled).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('when someone else spent the budget: backs off a second, retries once, gets the page', async () => {
    // The stand-in throttles the first call (as if another caller had used the account's
    // budget) and serves the second.
    const draws = [0.1, 0.9];
    const busy = await startCloudTrailStandIn(state, {
      faults: { bucket: { rate: 2, burst: 2 }, throttleRate: 0.5 },
      random: () => draws.shift() ?? 0.9,
    });
    const c = new CloudTrailClient({
      region: 'us-east-1',
      endpoint: busy.endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const lookup = new CloudTrailQuickSightLookup(c, { random: () => 0 });
      const started = performance.now();
      const page = await lookup.lookup(window);
      expect(page.records).toHaveLength(50);
      expect(lookup.stats).toEqual({ calls: 2, retries: 1, throttled: 1 });
      expect(busy.faults.counters).toMatchObject({ calls: 2, throttled: 1 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    } finally {
      c.destroy();
      await busy.close();
    }
  });

  it('turns a refused NextToken into NextTokenRefusedError', async () => {
    const lookup = new CloudTrailQuickSightLookup(client);
    await expect(lookup.lookup({ ...window, nextToken: 'expired' })).rejects.toBeInstanceOf(
      NextTokenRefusedError,
    );
  });
});

describe("CloudTrailQuickSightLookup: CloudTrail's clock (the Date header, read by a middleware)", () => {
  const clientOf = (endpoint: string, region = 'us-east-1') =>
    new CloudTrailClient({ region, endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

  it("returns the service's time of every page and of serviceTime(), off the local clock when the service's is", async () => {
    const offsetMs = -3 * 86_400_000;
    const skewed = await startCloudTrailStandIn(state);
    skewed.clock.offsetMs = offsetMs;
    // 3 days is past SigV4's 15 minutes: the SDK's own clock correction must not hide the Date.
    const c = clientOf(skewed.endpoint);
    const clients = [c];
    try {
      let lookup = new CloudTrailQuickSightLookup(c, { retry: FAST_RETRY });
      const failure = await lookup.lookup(window).catch((e: unknown) => e);
      expect(String((failure as Error).message)).toMatch(/InvalidSignatureException.*Signature/);
      const refusedAt = serviceTimeOfFailure(failure)?.getTime() ?? 0;
      expect(Math.abs(refusedAt - (Date.now() + offsetMs))).toBeLessThan(2_000);
      // (The SDK corrected its signing clock from that answer: a fresh client for the rest.)
      skewed.clock.offsetMs = -60_000;
      const fresh = clientOf(skewed.endpoint);
      clients.push(fresh);
      lookup = new CloudTrailQuickSightLookup(fresh, { retry: FAST_RETRY });
      const before = Date.now();
      const page = await lookup.lookup(window);
      const at = page.serviceTime?.getTime() ?? 0;
      // Whole seconds (HTTP date): within a second below the service's clock at the answer.
      expect(at % 1000).toBe(0);
      expect(at).toBeGreaterThanOrEqual(Math.floor((before - 60_000) / 1000) * 1000);
      expect(at).toBeLessThanOrEqual(Date.now() - 60_000);
      const probe = (await lookup.serviceTime()).getTime();
      expect(Math.abs(probe - (Date.now() - 60_000))).toBeLessThan(2_000);
    } finally {
      for (const each of clients) each.destroy();
      await skewed.close();
    }
  });

  it('reads each region from its own event history and limit (the SigV4 scope names the region)', async () => {
    const regional = new CloudTrailState('us-east-1');
    const event = (i: number, region: string) =>
      quickSightEvent({
        accountId: '123456789012',
        region,
        time: new Date(NOW - (i + 1) * 60_000),
        eventName: 'GetDashboard',
        actor: { kind: 'federated', roleName: 'R', session: `${region}-${i}@example.com` },
        random,
      });
    regional.add([...[0, 1, 2].map((i) => event(i, 'us-east-1')), event(3, 'eu-west-1')]);
    const standIn = await startCloudTrailStandIn(regional);
    const east = clientOf(standIn.endpoint, 'us-east-1');
    const west = clientOf(standIn.endpoint, 'eu-west-1');
    try {
      const eastPage = await new CloudTrailQuickSightLookup(east).lookup(window);
      const westPage = await new CloudTrailQuickSightLookup(west).lookup(window);
      expect(eastPage.records.map((r) => r.awsRegion)).toEqual([
        'us-east-1',
        'us-east-1',
        'us-east-1',
      ]);
      expect(westPage.records.map((r) => r.awsRegion)).toEqual(['eu-west-1']);
      expect(standIn.faults.counters.calls).toBe(1);
      expect(standIn.faultsFor('eu-west-1').counters.calls).toBe(1);
      // A region's outage leaves the other answering.
      standIn.faultsFor('eu-west-1').configure({ errorRate: 1 });
      await expect(
        new CloudTrailQuickSightLookup(west, { retry: FAST_RETRY }).lookup(window),
      ).rejects.toThrow(/InternalFailure/);
      expect((await new CloudTrailQuickSightLookup(east).lookup(window)).records).toHaveLength(3);
    } finally {
      east.destroy();
      west.destroy();
      await standIn.close();
    }
  });
});
