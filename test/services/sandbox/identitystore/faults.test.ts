import {
  IdentitystoreServiceException,
  InternalServerException,
  ListUsersCommand,
  ThrottlingException,
} from '@aws-sdk/client-identitystore';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';
import {
  IDENTITY_STORE_ID,
  type IdentityStoreFixture,
  seedIdcUsers,
  startIdentityStoreFixture,
} from '../../../helpers/aws-sandbox.js';

describe('IdentityStore stand-in fault knobs, as the real SDK client sees them', () => {
  let idc: IdentityStoreFixture | undefined;
  afterEach(async () => {
    await idc?.close();
    idc = undefined;
  });
  const list = (token?: string) =>
    (idc as IdentityStoreFixture).client.send(
      new ListUsersCommand({
        IdentityStoreId: IDENTITY_STORE_ID,
        ...(token ? { NextToken: token } : {}),
      }),
    );
  const outcomeOf = (call: Promise<unknown>) =>
    call.then(
      () => 'ok',
      (e: unknown) => (e as Error).name,
    );

  it('bucket: an empty bucket is a ThrottlingException whose RetryAfterSeconds says when', async () => {
    idc = await startIdentityStoreFixture();
    idc.standIn.faults.configure({ bucket: { rate: 0.5, burst: 1 } });
    await list();
    const error = await list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ RetryAfterSeconds: 2, $metadata: { httpStatusCode: 429 } });
    idc.standIn.faults.configure({});
    await expect(outcomeOf(list())).resolves.toBe('ok');
  });

  it('throttleRate: that share of calls is a ThrottlingException', async () => {
    idc = await startIdentityStoreFixture({ faults: { throttleRate: 0.3 }, random: mulberry32(3) });
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => outcomeOf(list())));
    const throttled = outcomes.filter((o) => o === 'ThrottlingException').length;
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'ThrottlingException')).toEqual([]);
    expect(throttled).toBeGreaterThan(10);
    expect(throttled).toBeLessThan(55);
    expect(idc.standIn.faults.counters.throttled).toBe(throttled);
  });

  it('errorRate: calls fail with InternalServerException (500)', async () => {
    idc = await startIdentityStoreFixture({ faults: { errorRate: 1 } });
    const error = await list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerException);
    expect(error).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  it('resetRate: the connection drops without an answer', async () => {
    idc = await startIdentityStoreFixture({ faults: { resetRate: 1 } });
    const error = await list().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(IdentitystoreServiceException);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(idc.standIn.faults.counters.resets).toBe(1);
  });

  it('latencyMs: calls are delayed by at least that much, changeable at run time', async () => {
    idc = await startIdentityStoreFixture({ faults: { latencyMs: 120 } });
    let started = performance.now();
    await list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(119);
    idc.standIn.faults.configure({ latencyMs: 300 });
    started = performance.now();
    await list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(299);
  });

  it('failPage: page N of ListUsers fails with a 500, other pages do not', async () => {
    idc = await startIdentityStoreFixture({ faults: { failPage: { page: 3 } } });
    seedIdcUsers(idc.state, 350);
    const first = await list();
    const second = await list(first.NextToken);
    expect(second.Users).toHaveLength(100);
    for (let i = 0; i < 2; i++)
      await expect(list(second.NextToken)).rejects.toBeInstanceOf(InternalServerException);
    idc.standIn.faults.configure({ failPage: { page: 3, times: 0 } });
    const third = await list(second.NextToken);
    expect(third.Users).toHaveLength(100);
  });
});
