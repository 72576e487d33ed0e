import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import type { Config } from '../config/index.js';
import type { QuickSightScope } from '../quicksight-scopes.js';
import type { AwsRetryOptions } from './aws-errors.js';
import { createQuickSightClient } from './clients.js';
import { QuickSightAssets } from './quicksight-assets.js';
import { ScopedQuickSightUsers } from './quicksight-scoped.js';
import { QuickSightUsers } from './quicksight-users.js';

/**
 * The QuickSight adapters of every configured scope (config.quicksight.scopes): one client per
 * account role (a scope whose role is IDSYNC_QUICKSIGHT_ROLE_ARN's, or that has none, shares the
 * service's own client; another account's role gets a client of its own, assuming that role the
 * way every role is assumed: external id, the run's session name, refreshed before expiry), and
 * per scope the users and assets adapters bound to its account and namespace. Built by the CLI
 * (shared/clients-from-config.ts) and the worker Lambda alike.
 */

/** The variable a refused scope role is reported under. */
export const SCOPE_ROLE_VARIABLE = 'IDSYNC_QUICKSIGHT_ACCOUNTS';

export interface ScopeAdapters {
  readonly scope: QuickSightScope;
  readonly port: QuickSightUsers;
  readonly assets: QuickSightAssets;
}

export interface QuickSightScopeClients {
  /** Lists every scope (rows tagged with their scope); its writes are the home scope's. */
  readonly users: ScopedQuickSightUsers<QuickSightUsers>;
  /** The home scope's adapters (the first configured scope when the home one is not). */
  readonly home: ScopeAdapters;
  /** The adapters of the scope keyed `key` (absent: the home scope); undefined: not configured. */
  of(key: string | undefined): ScopeAdapters | undefined;
  close(): void;
}

export function quickSightScopeClients(
  config: Pick<Config, 'aws' | 'quicksight'>,
  settings: AwsRetryOptions = {},
): QuickSightScopeClients {
  // At least the home scope: the config loader refuses a list it cannot make scopes of.
  const { namespace, scopes } = config.quicksight;
  const clients = new Map<string, QuickSightClient>();
  const clientOf = (scope: QuickSightScope): QuickSightClient => {
    const own = ownRoleOf(config, scope);
    let client = clients.get(own ?? '');
    if (!client) {
      client = createQuickSightClient(
        config.aws,
        config.quicksight,
        own ? { role: { roleArn: own, variable: SCOPE_ROLE_VARIABLE } } : {},
      );
      clients.set(own ?? '', client);
    }
    return client;
  };
  const adapters: ScopeAdapters[] = scopes.map((scope) => {
    const client = clientOf(scope);
    return {
      scope,
      port: new QuickSightUsers(client, scope.accountId, scope.namespace, settings),
      assets: new QuickSightAssets(client, scope.accountId, scope.namespace, settings),
    };
  });
  const of = (key: string | undefined) => adapters.find((a) => a.scope.key === (key ?? namespace));
  return {
    users: new ScopedQuickSightUsers(adapters, namespace),
    home: of(undefined) ?? (adapters[0] as ScopeAdapters),
    of,
    close: () => {
      for (const client of clients.values()) client.destroy();
    },
  };
}

/** One scope's deletes and assets with its account (undefined: not configured), for the worker. */
export function scopedClients(
  clients: Pick<QuickSightScopeClients, 'of'>,
  key: string | undefined,
) {
  const found = clients.of(key);
  return found && { accountId: found.scope.accountId, port: found.port, assets: found.assets };
}

/** A scope's own role: its role when it has one other than IDSYNC_QUICKSIGHT_ROLE_ARN's. */
function ownRoleOf(
  config: Pick<Config, 'aws'>,
  scope: Pick<QuickSightScope, 'roleArn'>,
): string | undefined {
  return scope.roleArn !== config.aws.roles?.quicksight ? scope.roleArn : undefined;
}

/** The roles of the scopes that have their own (not IDSYNC_QUICKSIGHT_ROLE_ARN's), each once. */
export function scopeRoles(config: Pick<Config, 'aws' | 'quicksight'>) {
  const roles = new Set(
    config.quicksight.scopes
      .map((s) => ownRoleOf(config, s))
      .filter((r): r is string => r !== undefined),
  );
  return [...roles].map((roleArn) => ({ roleArn, variable: SCOPE_ROLE_VARIABLE }));
}
