import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import { AwsCallError } from '../../../shared/aws/aws-errors.js';
import { IdentityStoreDirectory } from '../../../shared/aws/identity-store-directory.js';
import type { IdcUser } from '../../../shared/domain.js';
import { RemoteServiceError } from '../../../shared/errors.js';
import {
  collectCountingRetries,
  collectPages,
  healingSleep,
  IDENTITY_STORE_ID,
  type IdentityStoreFixture,
  seedIdcUsers,
  startIdentityStoreFixture,
} from '../../helpers/aws-sandbox.js';

const quickPolicy = { baseMs: 5, capMs: 50, maxAttempts: 10 };
const byId = (a: IdcUser, b: IdcUser) => (a.userId < b.userId ? -1 : 1);

describe('IdentityStoreDirectory over the IdentityStore stand-in', () => {
  let idc: IdentityStoreFixture | undefined;
  afterEach(async () => {
    await idc?.close();
    idc = undefined;
  });
  const directoryFor = (fixture: IdentityStoreFixture, options = {}, storeId = IDENTITY_STORE_ID) =>
    new IdentityStoreDirectory(fixture.client, storeId, {
      retry: quickPolicy,
      random: mulberry32(13),
      ...options,
    });

  it('lists every user, one array per page of 100, mapped to the domain shape', async () => {
    idc = await startIdentityStoreFixture();
    const seeded = seedIdcUsers(idc.state, 230);
    const { items, pages } = await collectPages(directoryFor(idc).listUsers());
    expect(pages).toBe(3);
    expect(items.sort(byId)).toEqual([...seeded].sort(byId));
  });

  it('completes a correct listing through 30 % throttling', async () => {
    idc = await startIdentityStoreFixture({ faults: { throttleRate: 0.3 }, random: mulberry32(9) });
    const seeded = seedIdcUsers(idc.state, 1_200);
    const fixture = idc;
    const { items, pages, retries } = await collectCountingRetries((onRetry) =>
      directoryFor(fixture, { onRetry }).listUsers(),
    );
    expect(pages).toBe(12);
    expect(items.sort(byId)).toEqual([...seeded].sort(byId));
    expect(retries).toBe(idc.standIn.faults.counters.throttled);
    expect(retries).toBeGreaterThan(0);
  });

  it('waits at least RetryAfterSeconds before retrying', async () => {
    idc = await startIdentityStoreFixture({ faults: { bucket: { rate: 0.5, burst: 1 } } });
    seedIdcUsers(idc.state, 150);
    const waits: number[] = [];
    const directory = directoryFor(idc, {
      retry: { baseMs: 5, capMs: 5_000, maxAttempts: 3 },
      sleep: healingSleep(idc.standIn, waits),
    });
    const { items } = await collectPages(directory.listUsers());
    expect(items).toHaveLength(150);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('gives up on a persistently failing page with a retryable RemoteServiceError', async () => {
    idc = await startIdentityStoreFixture({ faults: { failPage: { page: 2 } } });
    seedIdcUsers(idc.state, 300);
    const error = await collectPages(directoryFor(idc).listUsers()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect(error).toMatchObject({ retryable: true, code: 'InternalServerException' });
    expect((error as Error).message).toMatch(/IdentityStore: ListUsers page 2 failed after 10/);
    expect(idc.standIn.faults.counters.errors).toBe(quickPolicy.maxAttempts);
  });

  it('describes a user, and answers undefined for one that does not exist', async () => {
    idc = await startIdentityStoreFixture();
    const [alice] = seedIdcUsers(idc.state, 2);
    const directory = directoryFor(idc);
    await expect(directory.describeUser(alice?.userId ?? '')).resolves.toEqual(alice);
    idc.state.deleteUser(alice?.userId ?? '');
    await expect(directory.describeUser(alice?.userId ?? '')).resolves.toBeUndefined();
  });

  it('retries a transient DescribeUser failure', async () => {
    idc = await startIdentityStoreFixture({ faults: { resetRate: 1 } });
    const [alice] = seedIdcUsers(idc.state, 1);
    const fixture = idc;
    const directory = directoryFor(idc, {
      sleep: async () => fixture.standIn.faults.configure({}),
    });
    await expect(directory.describeUser(alice?.userId ?? '')).resolves.toEqual(alice);
    expect(idc.standIn.faults.counters).toMatchObject({ calls: 2, resets: 1 });
  });

  it('treats a wrong identity store as an error, never as "user not found"', async () => {
    idc = await startIdentityStoreFixture();
    const [alice] = seedIdcUsers(idc.state, 1);
    const directory = directoryFor(idc, {}, 'd-0000000000');
    const error = await directory.describeUser(alice?.userId ?? '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ retryable: false, code: 'ResourceNotFoundException' });
    expect(idc.standIn.faults.counters.calls).toBe(1);
  });
});
