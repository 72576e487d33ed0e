import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailState } from '../../../services/sandbox/cloudtrail/cloudtrail-state.js';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { startCloudTrailStandIn } from '../../../services/sandbox/cloudtrail/stand-in.js';
import type { StandIn } from '../../../services/sandbox/http/stand-in.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import {
  CloudTrailQuickSightLookup,
  NextTokenRefusedError,
} from '../../../shared/aws/cloudtrail-lookup.js';
import { TEST_CREDENTIALS } from '../../helpers/dynamo.js';

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
