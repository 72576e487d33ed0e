import { createCloudTrailClient } from '../../shared/aws/clients.js';
import type { Config } from '../../shared/config/index.js';
import { describeError, UsageError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { CloudTrailQuickSightLookup } from './cloudtrail-lookup.js';

/**
 * The CloudTrail LookupEvents ports of `activity sync`, one per region it reads
 * (IDSYNC_ACTIVITY_REGIONS), each with its own client and its own pacer (LookupEvents' 2 calls
 * a second hold per account and region), built from configuration (CLI and the activity Lambda
 * handler only).
 */
export function buildCloudTrailLookups(config: Pick<Config, 'aws' | 'activity'>, logger: Logger) {
  const regions = config.activity.regions;
  if (regions.length === 0)
    throw new UsageError(
      'activity sync needs a region: set IDSYNC_ACTIVITY_REGIONS (or AWS_REGION / IDSYNC_QUICKSIGHT_REGION)',
    );
  const built = regions.map((region) => {
    const client = createCloudTrailClient(config.aws, {}, region);
    const port = new CloudTrailQuickSightLookup(client, {
      onRetry: (e) =>
        logger.warn(
          {
            region,
            operation: e.operation,
            attempt: e.attempt,
            delayMs: Math.round(e.delayMs),
            error: describeError(e.error),
          },
          'CloudTrail call retried',
        ),
    });
    return { region, lookup: port, client };
  });
  return {
    regions: built.map(({ region, lookup }) => ({ region, lookup })),
    /** LookupEvents calls, throttled answers and retries, summed over the regions. */
    stats: () => {
      const sum = { calls: 0, retries: 0, throttled: 0 };
      for (const { lookup } of built) {
        sum.calls += lookup.stats.calls;
        sum.retries += lookup.stats.retries;
        sum.throttled += lookup.stats.throttled;
      }
      return sum;
    },
    close: () => {
      for (const { client } of built) client.destroy();
    },
  };
}
