import {
  DescribeUserCommand,
  InternalFailureException,
  ListUsersCommand,
  QuickSightServiceException,
  ThrottlingException,
} from '@aws-sdk/client-quicksight';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';
import { sleep } from '../../../../shared/retry.js';
import {
  ACCOUNT_ID,
  NAMESPACE,
  type QuickSightFixture,
  seedQuickSightReaders,
  startQuickSightFixture,
} from '../../../helpers/aws-sandbox.js';

const scope = { AwsAccountId: ACCOUNT_ID, Namespace: NAMESPACE };

describe('QuickSight stand-in fault knobs, as the real SDK client sees them', () => {
  let qs: QuickSightFixture | undefined;
  afterEach(async () => {
    await qs?.close();
    qs = undefined;
  });
  const list = (token?: string) =>
    (qs as QuickSightFixture).client.send(
      new ListUsersCommand({ ...scope, ...(token ? { NextToken: token } : {}) }),
    );

  it('token bucket: N calls at rate R take at least (N - burst) / R', async () => {
    const [rate, burst, calls, lanes] = [20, 2, 30, 10];
    qs = await startQuickSightFixture({ faults: { bucket: { rate, burst } } });
    const started = performance.now();
    let done = 0;
    // 10 callers at once: more than the burst arrive together, so some are throttled however
    // slow the machine is, and the bucket, not the client, sets the pace.
    const lane = async () => {
      while (done < calls) {
        try {
          await list();
          done++;
        } catch (error) {
          expect(error).toBeInstanceOf(ThrottlingException);
          await sleep(2);
        }
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    const elapsedMs = performance.now() - started;
    const served = qs.standIn.faults.counters.calls - qs.standIn.faults.counters.throttled;
    expect(served).toBeGreaterThanOrEqual(calls);
    expect(elapsedMs).toBeGreaterThanOrEqual(((served - burst) / rate) * 1000);
    expect(qs.standIn.faults.counters.throttled).toBeGreaterThan(0);
  });

  it('bucket changed at run time: throttles with Retry-After, then lets calls through again', async () => {
    qs = await startQuickSightFixture();
    await list();
    qs.standIn.faults.configure({ bucket: { rate: 1, burst: 1 } });
    await list();
    const error = await list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(retryAfterOf(error)).toBe('1');
    qs.standIn.faults.configure({});
    await expect(list()).resolves.toMatchObject({ Status: 200 });
  });

  it('throttleRate: that share of calls is a 429 ThrottlingException', async () => {
    qs = await startQuickSightFixture({ faults: { throttleRate: 1 }, random: mulberry32(7) });
    const error = await list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    expect(retryAfterOf(error)).toBeUndefined();

    qs.standIn.faults.configure({ throttleRate: 0.3 });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () =>
        list().then(
          () => 'ok',
          (e: unknown) => (e instanceof ThrottlingException ? 'throttled' : 'other'),
        ),
      ),
    );
    const throttled = outcomes.filter((o) => o === 'throttled').length;
    expect(outcomes).not.toContain('other');
    expect(throttled).toBeGreaterThan(10);
    expect(throttled).toBeLessThan(55);
    expect(qs.standIn.faults.counters.throttled).toBe(throttled + 1);
  });

  it('errorRate: calls fail with InternalFailureException (5xx, server fault)', async () => {
    qs = await startQuickSightFixture({ faults: { errorRate: 1 } });
    const error = await qs.client
      .send(new DescribeUserCommand({ ...scope, UserName: 'anyone' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalFailureException);
    expect(error).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(qs.standIn.faults.counters.errors).toBe(1);
  });

  it('resetRate: the connection drops without an answer', async () => {
    qs = await startQuickSightFixture({ faults: { resetRate: 1 } });
    const error = await list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(QuickSightServiceException);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(qs.standIn.faults.counters.resets).toBe(1);
  });

  it('latencyMs: every call is delayed by at least that much', async () => {
    qs = await startQuickSightFixture({ faults: { latencyMs: 150 } });
    const started = performance.now();
    await list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
  });

  it('failPage: page N of a listing fails (times bounds how often), other pages do not', async () => {
    qs = await startQuickSightFixture({
      faults: { failPage: { page: 2, times: 1 } },
      random: mulberry32(1),
    });
    seedQuickSightReaders(qs.state, 250);
    const first = await list();
    await expect(list(first.NextToken)).rejects.toBeInstanceOf(InternalFailureException);
    const second = await list(first.NextToken);
    expect(second.UserList).toHaveLength(100);
    const third = await list(second.NextToken);
    expect(third.UserList).toHaveLength(50);
    expect(third.NextToken).toBeUndefined();

    qs.standIn.faults.configure({ failPage: { page: 2 } });
    for (let i = 0; i < 3; i++)
      await expect(list(first.NextToken)).rejects.toBeInstanceOf(InternalFailureException);
    await expect(list()).resolves.toMatchObject({ Status: 200 });
  });
});

function retryAfterOf(error: unknown): string | undefined {
  return (error as { $response?: { headers: Record<string, string> } }).$response?.headers[
    'retry-after'
  ];
}
