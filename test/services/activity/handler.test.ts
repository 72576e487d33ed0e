import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityHandler } from '../../../services/activity/handler.js';
import {
  quickSightEnvelope,
  quickSightEvent,
} from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityKey } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { UsageError } from '../../../shared/errors.js';
import { captureLogs } from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * The activity Lambda on the sandbox: live aws.quicksight envelopes (attribution, coalesced
 * writes, genuine-event checks) and the scheduled sync (stops before the deadline, resumes).
 */

const SCHEDULED = JSON.parse(
  readFileSync(new URL('../../fixtures/infra/scheduled-event.json', import.meta.url), 'utf8'),
);

let t: TestSandbox;
let store: DynamoActivityStore;
beforeAll(async () => {
  t = await startTestSandbox({ org: smallOrg(), activity: { events: 300, seed: 9 } });
  store = new DynamoActivityStore(t.doc, t.names.activity);
  await snapshotOk(t.sandbox);
}, 60_000);
afterAll(async () => t.close());

const handler = () =>
  createActivityHandler(
    { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'info' },
    {
      logDestination: captureLogs().stream,
    },
  );

describe('activity handler: live QuickSight events', () => {
  const reader = () => {
    const person = t.sandbox.org.people.find((p) => p.kind === 'reader');
    return person?.quickSightUsers[0]?.userName ?? '';
  };
  const view = (at: string, account = t.sandbox.org.accountId) => {
    const userName = reader();
    const slash = userName.lastIndexOf('/');
    return quickSightEnvelope(
      quickSightEvent({
        accountId: account,
        region: t.sandbox.org.region,
        time: new Date(at),
        eventName: 'GetDashboard',
        actor: {
          kind: 'federated',
          roleName: userName.slice(0, slash),
          session: userName.slice(slash + 1).toUpperCase(),
        },
      }),
    );
  };

  it('records a view, coalesces views within the hour without touching DynamoDB, writes after it', async () => {
    const h = handler();
    expect(await h(view('2030-01-01T10:00:00Z'))).toEqual({ outcome: 'written', users: 1 });
    expect(await h(view('2030-01-01T10:40:00Z'))).toEqual({ outcome: 'coalesced', users: 1 });
    expect(await h(view('2030-01-01T11:30:00Z'))).toEqual({ outcome: 'written', users: 1 });
    const rec = await store.get(activityKey(t.sandbox.org.namespace, reader()));
    expect(rec?.last).toEqual({
      at: '2030-01-01T11:30:00.000Z',
      eventName: 'GetDashboard',
      source: 'live',
    });
    expect(rec?.spans.live).toEqual({
      from: '2030-01-01T10:00:00.000Z',
      to: '2030-01-01T11:30:00.000Z',
    });
    // A new container knows nothing in memory: the store's own coalescing holds.
    expect(await handler()(view('2030-01-01T11:50:00Z'))).toEqual({
      outcome: 'unchanged',
      users: 1,
    });
  });

  it('resolves an IAM Identity Center user through the identity map', async () => {
    const person = t.sandbox.org.people.find((p) => p.kind === 'identity-center');
    const qs = person?.quickSightUsers[0];
    const envelope = quickSightEnvelope(
      quickSightEvent({
        accountId: t.sandbox.org.accountId,
        region: t.sandbox.org.region,
        time: new Date('2030-01-02T00:00:00Z'),
        eventName: 'GetDashboard',
        actor: {
          kind: 'identity-center',
          userId: person?.idcUserId ?? '',
          identityStoreId: t.sandbox.org.identityStoreId,
        },
      }),
    );
    expect(await handler()(envelope)).toEqual({ outcome: 'written', users: 1 });
    expect(qs).toBeDefined();
  });

  it('ignores envelopes of another account and refuses other events', async () => {
    const h = handler();
    expect(await h(view('2030-01-03T00:00:00Z', '999999999999'))).toEqual({
      outcome: 'ignored',
      reason: 'another account',
    });
    await expect(h({ source: 'aws.s3' })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('activity handler: scheduled sync', () => {
  it('stops before the deadline with the cursor saved, and the next invocation finishes', async () => {
    let remaining = 1_000_000;
    const context = { getRemainingTimeInMillis: () => remaining, awsRequestId: 'req-1' };
    const logs = captureLogs();
    const h = createActivityHandler(
      { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'info' },
      { logDestination: logs.stream },
    );
    remaining = 10_000; // less than the 30 s the handler keeps free: stop before the first page
    const stopped = (await h(SCHEDULED, context)) as { stopped: boolean; pages: number };
    expect(stopped).toMatchObject({ stopped: true, pages: 0 });
    expect((await store.cursorOf(t.sandbox.org.region).getCursor()).window).toBeDefined();
    remaining = 1_000_000;
    const done = (await h(SCHEDULED, context)) as { caughtUp: boolean; events: number };
    expect(done.caughtUp).toBe(true);
    expect(done.events).toBe(t.sandbox.cloudTrailState.size);
    expect((await store.coverage()).cloudtrail).toBeDefined();
    // Each run reports the ActivityLagHours metric: no coverage yet, then caught up.
    const lags = logs.metrics().map((l) => l.ActivityLagHours as number);
    expect(lags).toHaveLength(2);
    expect(lags[0]).toBeGreaterThan(24);
    expect(lags[1]).toBeLessThan(1);
    expect(logs.metrics()[1]).toMatchObject({ requestId: 'req-1', coldStart: false });
  }, 30_000);

  it('reads every region of IDSYNC_ACTIVITY_REGIONS; a region that fails fails the invocation after the others', async () => {
    const west = 'eu-west-1';
    t.sandbox.cloudTrail.faultsFor(west).configure({ errorRate: 1 });
    const logs = captureLogs();
    const h = createActivityHandler(
      {
        ...t.sandbox.env,
        IDSYNC_LOG_LEVEL: 'info',
        IDSYNC_ACTIVITY_REGIONS: `${t.sandbox.org.region},${west}`,
      },
      { logDestination: logs.stream },
    );
    const context = { getRemainingTimeInMillis: () => 1_000_000, awsRequestId: 'req-2' };
    try {
      await expect(h(SCHEDULED, context)).rejects.toThrow(
        new RegExp(`activity sync failed in ${west} \\(.*InternalFailure`),
      );
    } finally {
      t.sandbox.cloudTrail.faultsFor(west).configure({ bucket: { rate: 2, burst: 2 } });
    }
    // The home region was read and saved; the account is not covered (the failed region is not).
    expect((await store.cursorOf(t.sandbox.org.region).getCursor()).covered).toBeDefined();
    expect(await store.coverage()).toEqual({});
    const [metric] = logs.metrics();
    expect(metric?.ActivityLagHours).toBeGreaterThan(24);
  }, 60_000);
});
