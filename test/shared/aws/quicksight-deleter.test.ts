import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSettings } from '../../../services/sandbox/http/faults.js';
import { AwsCallError } from '../../../shared/aws/aws-errors.js';
import {
  type QuickSightDeleter,
  quickSightDeleter,
} from '../../../shared/aws/quicksight-deleter.js';
import { QuickSightDirectory } from '../../../shared/aws/quicksight-directory.js';
import { createSignedFetch } from '../../../shared/aws/signed-fetch.js';
import {
  ACCOUNT_ID,
  NAMESPACE,
  type QuickSightFixture,
  REGION,
  seedQuickSightReaders,
  startQuickSightFixture,
} from '../../helpers/aws-sandbox.js';

/**
 * The worker's signed-request deleter against the QuickSight stand-in, side by side with the
 * SDK-based QuickSightDirectory: both must give the same outcome or the same error facts
 * (throttled, retryable, Retry-After) for every answer the API can give.
 */

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('quickSightDeleter over the QuickSight stand-in', () => {
  let qs: QuickSightFixture | undefined;
  afterEach(async () => {
    await qs?.close();
    qs = undefined;
  });

  const deleterFor = (fixture: QuickSightFixture, accountId = ACCOUNT_ID, namespace = NAMESPACE) =>
    quickSightDeleter({
      accountId,
      namespace,
      endpoint: fixture.standIn.endpoint,
      fetch: createSignedFetch({
        service: 'quicksight',
        region: REGION,
        credentials,
        timeoutMs: 2_000,
      }),
    });
  const sdkFor = (fixture: QuickSightFixture, accountId = ACCOUNT_ID, namespace = NAMESPACE) =>
    new QuickSightDirectory(fixture.client, accountId, namespace);

  /** The outcome of a delete, or the facts of its error, as the worker reads them. */
  const facts = async (call: () => Promise<unknown>) => {
    try {
      return { outcome: await call() };
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const { throttled, retryable, retryAfterMs, code, httpStatusCode } = error;
      return { throttled, retryable, retryAfterMs, code, httpStatusCode };
    }
  };

  it('deletes role/email users and principals; a missing user is not_found', async () => {
    qs = await startQuickSightFixture();
    const [a, b, c] = seedQuickSightReaders(qs.state, 3);
    const deleter = deleterFor(qs);
    expect(await deleter.deleteUser(a?.userName as string)).toBe('deleted');
    expect(await deleter.deleteUser(a?.userName as string)).toBe('not_found');
    expect(await deleter.deleteUserByPrincipalId(b?.principalId as string)).toBe('deleted');
    expect(await deleter.deleteUserByPrincipalId(b?.principalId as string)).toBe('not_found');
    expect(qs.state.list().map((u) => u.userName)).toEqual([c?.userName]);
    expect(qs.state.deletes.get(a?.userName as string)).toBe(1);
  });

  const cases: Array<[string, FaultSettings, (d: QuickSightDeleter) => Promise<unknown>]> = [
    ['throttled with Retry-After', { bucket: { rate: 0.001, burst: 0 } }, (d) => d.deleteUser('x')],
    ['throttled', { throttleRate: 1 }, (d) => d.deleteUser('x')],
    ['a server error', { errorRate: 1 }, (d) => d.deleteUser('x')],
    ['a reset connection', { resetRate: 1 }, (d) => d.deleteUserByPrincipalId('p')],
  ];
  for (const [name, faults, call] of cases) {
    it(`reads ${name} as the SDK client does`, async () => {
      qs = await startQuickSightFixture({ faults });
      const signed = await facts(() => call(deleterFor(qs as QuickSightFixture)));
      const sdk = await facts(() => call(sdkFor(qs as QuickSightFixture)));
      expect(signed).toMatchObject({ retryable: true, throttled: name.startsWith('throttled') });
      if (faults.bucket) expect(signed.retryAfterMs).toBeGreaterThan(0);
      // The transport code of a reset differs (undici's UND_ERR_SOCKET, the SDK's ECONNRESET).
      expect({ ...signed, code: undefined }).toEqual({ ...sdk, code: undefined });
      if (!faults.resetRate) expect(signed.code).toBe(sdk.code);
    });
  }

  it('another resource missing or access denied is an error for good, not already gone', async () => {
    qs = await startQuickSightFixture();
    const [user] = seedQuickSightReaders(qs.state, 1);
    const name = user?.userName as string;
    for (const [account, namespace] of [
      [ACCOUNT_ID, 'other'],
      ['999999999999', NAMESPACE],
    ] as const) {
      const signed = await facts(() =>
        deleterFor(qs as QuickSightFixture, account, namespace).deleteUser(name),
      );
      const sdk = await facts(() =>
        sdkFor(qs as QuickSightFixture, account, namespace).deleteUser(name),
      );
      expect(signed).toEqual(sdk);
      expect(signed).toMatchObject({ retryable: false, throttled: false });
    }
    expect(qs.state.size).toBe(1);
  });
});
