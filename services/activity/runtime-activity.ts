import { createCloudTrailClient } from '../../shared/aws/clients.js';
import type { Config } from '../../shared/config/index.js';
import { describeError, UsageError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { scopeAccounts } from '../../shared/quicksight-scopes.js';
import { CloudTrailQuickSightLookup } from './cloudtrail-lookup.js';

/**
 * The CloudTrail LookupEvents ports of `activity sync`, one per region it reads
 * (IDSYNC_ACTIVITY_REGIONS) and QuickSight account (the accounts of IDSYNC_QUICKSIGHT_ACCOUNTS),
 * each with its own client and its own pacer (LookupEvents' 2 calls a second hold per account
 * and region), built from configuration (CLI and the activity Lambda handler only). The home
 * account's history is read as ever (IDSYNC_CLOUDTRAIL_ROLE_ARN, else the process's own
 * credentials); another account's with its scopes' role (`@role-arn`), which must allow
 * `cloudtrail:LookupEvents` in that account.
 */
export function buildCloudTrailLookups(
  config: Pick<Config, 'aws' | 'activity'> & {
    readonly quicksight: Pick<Config['quicksight'], 'accountId' | 'scopes'>;
  },
  logger: Logger,
) {
  const regions = config.activity.regions;
  if (regions.length === 0)
    throw new UsageError(
      'activity sync needs a region: set IDSYNC_ACTIVITY_REGIONS (or AWS_REGION / IDSYNC_QUICKSIGHT_REGION)',
    );
  const histories = historiesToRead(config.quicksight).flatMap((account) =>
    regions.map((region) => ({ ...account, region })),
  );
  const built = histories.map(({ region, accountId, roleArn }) => {
    const client = createCloudTrailClient(
      config.aws,
      roleArn ? { role: { roleArn, variable: ACCOUNTS_VARIABLE } } : {},
      region,
    );
    const port = new CloudTrailQuickSightLookup(client, {
      onRetry: (e) =>
        logger.warn(
          {
            region,
            ...(accountId ? { accountId } : {}),
            operation: e.operation,
            attempt: e.attempt,
            delayMs: Math.round(e.delayMs),
            error: describeError(e.error),
          },
          'CloudTrail call retried',
        ),
    });
    return { region, accountId, lookup: port, client };
  });
  return {
    regions: built.map(({ region, accountId, lookup }) => ({
      region,
      ...(accountId ? { accountId } : {}),
      lookup,
    })),
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

/** What a refused role of another QuickSight account is reported under. */
export const ACCOUNTS_VARIABLE = 'IDSYNC_QUICKSIGHT_ACCOUNTS';

/**
 * The accounts whose CloudTrail history `activity sync` reads: the home account when it has
 * scopes (no account id: its lanes and credentials are those of single-account idsync), then
 * every other account of the scopes with its role.
 */
export function historiesToRead(
  quicksight: Pick<Config['quicksight'], 'accountId' | 'scopes'>,
): { readonly accountId?: string; readonly roleArn?: string }[] {
  const accounts = scopeAccounts(quicksight.scopes);
  const others = accounts.filter((a) => a !== quicksight.accountId);
  // Without scopes (a configuration built by hand) the home account alone, as ever.
  const home = accounts.length === 0 || accounts.includes(quicksight.accountId);
  return [
    ...(home ? [{}] : []),
    ...others.map((accountId) => {
      const roleArn = quicksight.scopes.find(
        (s) => s.accountId === accountId && s.roleArn,
      )?.roleArn;
      return { accountId, ...(roleArn ? { roleArn } : {}) };
    }),
  ];
}
