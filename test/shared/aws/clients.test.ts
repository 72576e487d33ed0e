import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandIn } from '../../../services/sandbox/http/stand-in.js';
import { startQuickSightStandIn } from '../../../services/sandbox/quicksight/stand-in.js';
import { QuickSightState } from '../../../services/sandbox/state/quicksight-state.js';
import { AwsCallError } from '../../../shared/aws/aws-errors.js';
import { createQuickSightClient, requestHandlerOptions } from '../../../shared/aws/clients.js';
import { QuickSightUsers } from '../../../shared/aws/quicksight-users.js';

/** The request timeout of the SDK clients, through the real QuickSight client and its stand-in. */
describe('client timeouts', () => {
  let qs: StandIn;
  beforeAll(async () => {
    qs = await startQuickSightStandIn(new QuickSightState('123456789012', 'default', 'us-east-1'));
  });
  afterAll(() => qs.close());

  it('turns the timeouts into NodeHttpHandler options that throw', () => {
    expect(requestHandlerOptions({ timeouts: { connectMs: 100, requestMs: 200 } })).toEqual({
      connectionTimeout: 100,
      requestTimeout: 200,
      throwOnRequestTimeout: true,
    });
    expect(requestHandlerOptions({}).requestTimeout).toBe(30_000);
  });

  it('a stalled DeleteUser fails at the timeout as a retryable error naming QuickSight', async () => {
    qs.faults.configure({ latencyMs: 5_000 });
    const client = createQuickSightClient(
      {
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        endpoints: { quicksight: qs.endpoint },
        timeouts: { connectMs: 1_000, requestMs: 300 },
      },
      { region: 'us-east-1' },
    );
    const directory = new QuickSightUsers(client, '123456789012', 'default', {
      endpoint: qs.endpoint,
    });
    const start = performance.now();
    const error = await directory.deleteUser('someone').catch((e: unknown) => e);
    const elapsed = performance.now() - start;
    client.destroy();
    qs.faults.configure({});
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).retryable).toBe(true);
    expect((error as Error).message).toContain(
      `QuickSight at ${qs.endpoint} did not answer in time`,
    );
    expect(elapsed).toBeLessThan(2_000);
  });
});
