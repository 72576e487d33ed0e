import type { Config } from '../../../shared/config/index.js';
import type { Logger } from '../../../shared/logger.js';
import { createGoogleDirectory } from './google-directory.js';

/**
 * The Google Directory adapter from configuration, apart from shared/clients-from-config.ts so that functions
 * that never call Google (plan, worker, events) do not bundle its client.
 */
export function buildGoogle(config: Pick<Config, 'google' | 'aws'>, logger: Logger) {
  const timeouts = config.aws.timeouts;
  return createGoogleDirectory({
    ...(timeouts ? { timeoutMs: timeouts.requestMs } : {}),
    credentialsPath: config.google.credentialsPath,
    subject: config.google.subject,
    rootUrl: config.google.rootUrl,
    onRetry: (e) => logger.warn(e, 'Google Directory call retried'),
  });
}
