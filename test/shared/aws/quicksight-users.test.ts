import { ThrottlingException } from '@aws-sdk/client-quicksight';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import { AwsCallError } from '../../../shared/aws/aws-errors.js';
import { QuickSightUsers } from '../../../shared/aws/quicksight-users.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { RemoteServiceError } from '../../../shared/errors.js';
import {
  ACCOUNT_ID,
  collectCountingRetries,
  collectPages,
  federatedUserName,
  healingSleep,
  NAMESPACE,
  type QuickSightFixture,
  seedQuickSightReaders,
  startQuickSightFixture,
} from '../../helpers/aws-sandbox.js';

const quickPolicy = { baseMs: 5, capMs: 50, maxAttempts: 10 };
const byName = (a: QuickSightUser, b: QuickSightUser) => (a.userName < b.userName ? -1 : 1);

describe('QuickSightUsers over the QuickSight stand-in', () => {
  let qs: QuickSightFixture | undefined;
  afterEach(async () => {
    await qs?.close();
    qs = undefined;
  });
  const directoryFor = (fixture: QuickSightFixture, options = {}, namespace = NAMESPACE) =>
    new QuickSightUsers(fixture.client, ACCOUNT_ID, namespace, {
      retry: quickPolicy,
      random: mulberry32(11),
      ...options,
    });

  it('lists every user, one array per page of 100, mapped to the domain shape', async () => {
    qs = await startQuickSightFixture();
    const seeded = seedQuickSightReaders(qs.state, 1_050);
    const { items, pages } = await collectPages(directoryFor(qs).listUsers());
    expect(pages).toBe(11);
    expect(items.sort(byName)).toEqual([...seeded].sort(byName));
  });

  it('completes a correct listing through 30 % throttling, retrying each throttled page', async () => {
    qs = await startQuickSightFixture({ faults: { throttleRate: 0.3 }, random: mulberry32(5) });
    const seeded = seedQuickSightReaders(qs.state, 2_200);
    const fixture = qs;
    const { items, pages, retries } = await collectCountingRetries((onRetry) =>
      directoryFor(fixture, { onRetry }).listUsers(),
    );
    expect(pages).toBe(22);
    expect(items.sort(byName)).toEqual([...seeded].sort(byName));
    expect(retries).toBe(qs.standIn.faults.counters.throttled);
    expect(retries).toBeGreaterThan(0);
  });

  it("waits at least the server's Retry-After before retrying a throttled page", async () => {
    qs = await startQuickSightFixture({ faults: { bucket: { rate: 1, burst: 1 } } });
    seedQuickSightReaders(qs.state, 150);
    const waits: number[] = [];
    const directory = directoryFor(qs, {
      retry: { baseMs: 5, capMs: 5_000, maxAttempts: 3 },
      sleep: healingSleep(qs.standIn, waits),
    });
    const { items } = await collectPages(directory.listUsers());
    expect(items).toHaveLength(150);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1_000);
  });

  it('gives up on a persistently failing page with a retryable RemoteServiceError', async () => {
    qs = await startQuickSightFixture({ faults: { failPage: { page: 3 } } });
    seedQuickSightReaders(qs.state, 500);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const page of directoryFor(qs).listUsers()) seen.push(page.length);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([100, 100]);
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect(error).toMatchObject({ retryable: true, throttled: false, httpStatusCode: 500 });
    expect((error as Error).message).toMatch(/ListUsers page 3 failed after 10 attempts/);
    expect(qs.standIn.faults.counters.errors).toBe(quickPolicy.maxAttempts);
  });

  it('fails fast, not retryable, when the account is wrong', async () => {
    qs = await startQuickSightFixture();
    const directory = new QuickSightUsers(qs.client, '999999999999', NAMESPACE, {
      retry: quickPolicy,
    });
    const error = await collectPages(directory.listUsers()).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false, code: 'AccessDeniedException' });
    expect(qs.standIn.faults.counters.calls).toBe(1);
  });

  it('deletes a `role/email` user once; deleting it again is not_found', async () => {
    qs = await startQuickSightFixture();
    const [user] = seedQuickSightReaders(qs.state, 3);
    const userName = user?.userName ?? '';
    expect(userName).toBe(federatedUserName('user0@example.com'));
    const directory = directoryFor(qs);
    await expect(directory.deleteUser(userName)).resolves.toBe('deleted');
    await expect(directory.deleteUser(userName)).resolves.toBe('not_found');
    expect(qs.state.deletes.get(userName)).toBe(1);
    expect(qs.state.size).toBe(2);
  });

  it('deletes by principal id once; again is not_found', async () => {
    qs = await startQuickSightFixture();
    const [, user] = seedQuickSightReaders(qs.state, 2);
    const directory = directoryFor(qs);
    await expect(directory.deleteUserByPrincipalId(user?.principalId ?? '')).resolves.toBe(
      'deleted',
    );
    await expect(directory.deleteUserByPrincipalId(user?.principalId ?? '')).resolves.toBe(
      'not_found',
    );
    expect(qs.state.deletes.get(user?.userName ?? '')).toBe(1);
  });

  it('does not retry a throttled delete: it reports throttled and Retry-After to the caller', async () => {
    qs = await startQuickSightFixture({ faults: { bucket: { rate: 0.5, burst: 0 } } });
    const [user] = seedQuickSightReaders(qs.state, 1);
    const error = await directoryFor(qs)
      .deleteUser(user?.userName ?? '')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ retryable: true, throttled: true, retryAfterMs: 2_000 });
    expect((error as AwsCallError).cause).toBeInstanceOf(ThrottlingException);
    expect(qs.standIn.faults.counters.calls).toBe(1);
    expect(qs.state.size).toBe(1);
  });

  it('reports 5xx and dropped connections on delete as retryable, not throttled', async () => {
    qs = await startQuickSightFixture({ faults: { errorRate: 1 } });
    const [user] = seedQuickSightReaders(qs.state, 1);
    const directory = directoryFor(qs);
    const serverError = await directory.deleteUser(user?.userName ?? '').catch((e: unknown) => e);
    expect(serverError).toMatchObject({ retryable: true, throttled: false, httpStatusCode: 500 });
    qs.standIn.faults.configure({ resetRate: 1 });
    const reset = await directory.deleteUser(user?.userName ?? '').catch((e: unknown) => e);
    expect(reset).toMatchObject({ retryable: true, throttled: false, code: 'ECONNRESET' });
    expect(qs.standIn.faults.counters.calls).toBe(2);
    expect(qs.state.size).toBe(1);
  });

  it('never reads a missing namespace as "user already gone"', async () => {
    qs = await startQuickSightFixture();
    const [user] = seedQuickSightReaders(qs.state, 1);
    const directory = directoryFor(qs, {}, 'marketing');
    const error = await directory.deleteUser(user?.userName ?? '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ retryable: false, code: 'ResourceNotFoundException' });
  });

  it('never reads a wrong account (access denied) on delete as "user already gone"', async () => {
    qs = await startQuickSightFixture();
    const [user] = seedQuickSightReaders(qs.state, 1);
    const directory = new QuickSightUsers(qs.client, '999999999999', NAMESPACE);
    const error = await directory.deleteUser(user?.userName ?? '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      retryable: false,
      throttled: false,
      code: 'AccessDeniedException',
    });
    expect(qs.state.size).toBe(1);
  });
});
