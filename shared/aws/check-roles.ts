import type { AwsConfig, ServiceRoles } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { requestHandlerOptions } from './clients.js';
import { serviceCredentials } from './service-credentials.js';

/**
 * Assumes the configured roles of `services` before a command reads anything, so a role STS
 * refuses (a wrong external id, a trust policy that does not name idsync) ends the command as
 * the configuration error it is (exit 2, naming the variable) instead of surfacing as a failed
 * listing (a PARTIAL snapshot, a failed region). The sessions are the ones the clients then use
 * (shared/aws/service-credentials.ts shares them per role and run): no extra AssumeRole. Any
 * other failure (STS unreachable, throttled) is left to the calls themselves, which retry and
 * report it as before. `ownRoles` are roles of their own to check the same way (the QuickSight
 * accounts' roles of IDSYNC_QUICKSIGHT_ACCOUNTS).
 */
export async function checkServiceRoles(
  aws: AwsConfig,
  services: readonly (keyof ServiceRoles)[],
  ownRoles: readonly { readonly roleArn: string; readonly variable: string }[] = [],
): Promise<void> {
  const asked = [
    ...services
      .filter((service) => aws.roles?.[service] !== undefined)
      .map((service) => ({ service })),
    ...ownRoles.map((role) => ({ service: 'quicksight', role })),
  ];
  const checks = asked.map(
    async ({ service, role }: { service: string; role?: (typeof ownRoles)[number] }) => {
      const credentials = serviceCredentials(
        aws,
        service,
        aws.credentials,
        requestHandlerOptions(aws),
        role,
      );
      if (typeof credentials !== 'function') return;
      try {
        await credentials();
      } catch (error) {
        if (error instanceof ConfigError) throw error;
      }
    },
  );
  const results = await Promise.allSettled(checks);
  const refused = results.flatMap((r) =>
    r.status === 'rejected' && r.reason instanceof ConfigError ? [r.reason] : [],
  );
  const [first, ...more] = refused;
  if (first)
    throw new ConfigError(
      first.variable,
      first.problems[0]?.problem ?? first.message,
      more.flatMap((e) => e.problems),
    );
}
