import {
  DeleteUserByPrincipalIdCommand,
  DeleteUserCommand,
  QuickSightClient,
} from '@aws-sdk/client-quicksight';
import { classifyAwsError, isResourceNotFound } from '../../../shared/aws/aws-errors.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { sleep } from '../../../shared/retry.js';
import type { WorkerEndpoints } from '../../services/removals/worker/fixtures/worker-sandbox.js';
import { CREDENTIALS } from '../../services/removals/worker/fixtures/worker-sandbox.js';

/**
 * The policies idsync's worker is compared with, each with 100 calls in flight:
 * - `seed`: what the seed team ran — SDK retries off, every failure retried in place after
 *   1 s × 2^n, no jitter, no cap;
 * - `sdk-standard` / `sdk-adaptive`: the SDK's own retry modes (3 attempts), and an item that
 *   still fails goes back to the end of the queue.
 * Every policy stops at `timeLimitMs`; what is left is reported unfinished.
 */

export type BaselinePolicy = 'seed' | 'sdk-standard' | 'sdk-adaptive';

export interface BaselineOptions {
  readonly policy: BaselinePolicy;
  readonly concurrency: number;
  readonly timeLimitMs: number;
  /** SDK attempts per call for the sdk-* policies: 3 (the SDK default). */
  readonly sdkMaxAttempts: number;
}

export interface BaselineResult {
  readonly removed: number;
  readonly failed: number;
  readonly unfinished: number;
  /** Re-queued items (sdk-*), or retries scheduled (seed). */
  readonly retries: number;
  readonly makespanMs: number;
  /** For an unfinished seed run: the latest retry it had already scheduled (a lower bound). */
  readonly projectedEndMs?: number;
}

export function baselineClient(e: WorkerEndpoints, options: BaselineOptions): QuickSightClient {
  const retry =
    options.policy === 'seed'
      ? { maxAttempts: 1 }
      : {
          maxAttempts: options.sdkMaxAttempts,
          retryMode: options.policy === 'sdk-adaptive' ? 'adaptive' : 'standard',
        };
  return new QuickSightClient({
    region: e.region,
    endpoint: e.quicksight,
    credentials: { ...CREDENTIALS },
    ...retry,
  });
}

type Attempt = 'removed' | 'retry' | 'failed';

export async function runBaseline(
  client: QuickSightClient,
  e: WorkerEndpoints,
  users: readonly Omit<QuickSightUser, 'arn'>[],
  options: BaselineOptions,
): Promise<BaselineResult> {
  const scope = { AwsAccountId: e.accountId, Namespace: e.namespace };
  const started = performance.now();
  const deadline = started + options.timeLimitMs;
  const queue = [...users];
  let removed = 0;
  let failed = 0;
  let retries = 0;
  let projectedEnd = 0;
  let lastEnd = started;

  const attempt = async (u: Omit<QuickSightUser, 'arn'>): Promise<Attempt> => {
    try {
      if (u.userName === 'N/A')
        await client.send(
          new DeleteUserByPrincipalIdCommand({ ...scope, PrincipalId: u.principalId ?? '' }),
        );
      else await client.send(new DeleteUserCommand({ ...scope, UserName: u.userName }));
      return 'removed';
    } catch (error) {
      if (isResourceNotFound(error, 'USER')) return 'removed';
      return classifyAwsError(error).retryable ? 'retry' : 'failed';
    }
  };

  const seedItem = async (u: Omit<QuickSightUser, 'arn'>): Promise<Attempt | 'unfinished'> => {
    for (let n = 0; ; n++) {
      const result = await attempt(u);
      if (result !== 'retry') return result;
      retries++;
      const wakeAt = performance.now() + 1000 * 2 ** n;
      if (wakeAt > deadline) {
        projectedEnd = Math.max(projectedEnd, wakeAt - started);
        return 'unfinished';
      }
      await sleep(wakeAt - performance.now());
    }
  };

  let unfinished = 0;
  const lane = async () => {
    while (queue.length > 0 && performance.now() < deadline) {
      const u = queue.shift() as Omit<QuickSightUser, 'arn'>;
      const result = options.policy === 'seed' ? await seedItem(u) : await attempt(u);
      if (result === 'removed') removed++;
      else if (result === 'failed') failed++;
      else if (result === 'unfinished') unfinished++;
      else {
        retries++;
        queue.push(u);
      }
      lastEnd = performance.now();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  unfinished += queue.length;
  return {
    removed,
    failed,
    unfinished,
    retries,
    makespanMs: unfinished > 0 ? options.timeLimitMs : lastEnd - started,
    ...(unfinished > 0 && projectedEnd > 0 ? { projectedEndMs: projectedEnd } : {}),
  };
}
