import { createCloudTrailClient } from './aws/clients.js';
import { CloudTrailQuickSightLookup } from './aws/cloudtrail-lookup.js';
import type { Config } from './config/index.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * The CloudTrail LookupEvents port of `activity sync`, built from configuration (CLI and the
 * activity Lambda handler only).
 */
export function buildCloudTrailLookup(config: Pick<Config, 'aws'>, logger: Logger) {
  const client = createCloudTrailClient(config.aws);
  const port = new CloudTrailQuickSightLookup(client, {
    onRetry: (e) =>
      logger.warn(
        {
          operation: e.operation,
          attempt: e.attempt,
          delayMs: Math.round(e.delayMs),
          error: describeError(e.error),
        },
        'CloudTrail call retried',
      ),
  });
  return { port, close: () => client.destroy() };
}
