import {
  DeleteUserByPrincipalIdCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  ListUsersCommand,
  type QuickSightClient,
  UpdateUserCommand,
  type User,
  type UserRole,
} from '@aws-sdk/client-quicksight';
import type { Config } from '../config/index.js';
import type { QuickSightUser } from '../domain.js';
import type { DeleteOutcome, QuickSightPort, RoleChangeOutcome } from '../ports.js';
import type { QuickSightScope } from '../quicksight-scopes.js';
import { UNNAMED_USER } from '../quicksight-user-rules.js';
import {
  AwsCallError,
  type AwsRetryOptions,
  isAwsError,
  isResourceNotFound,
  listPagesWithRetry,
} from './aws-errors.js';
import { createQuickSightClient } from './clients.js';
import { QuickSightAssets } from './quicksight-assets.js';

/**
 * The QuickSight users adapter: one scope's port over the real client (`QuickSightUsers`), the
 * port over every scope idsync manages (`ScopedQuickSightUsers`), and the clients of every scope
 * (`quickSightScopeClients`).
 */

/**
 * QuickSightPort over the real QuickSight client, for one account and namespace (the client is
 * built for the QuickSight identity region). The one QuickSight adapter: the CLI, the snapshot
 * and the worker Lambda all use it.
 *
 * Listing pages through ListUsers 100 at a time and retries each page's transient failures
 * (throttling, 5xx, resets) at this one layer. Deletes are NOT retried here: the worker owns
 * their pacing and retries, and reads `throttled` / `retryAfterMs` off the AwsCallError.
 */

const SERVICE = 'QuickSight';

/** The writing half of the port: what the worker needs (deletes and role changes). */
export type QuickSightDeleter = Pick<
  QuickSightPort,
  'deleteUser' | 'deleteUserByPrincipalId' | 'updateUserRole'
>;
export const QUICKSIGHT_PAGE_SIZE = 100;

export class QuickSightUsers implements QuickSightPort {
  constructor(
    private readonly client: QuickSightClient,
    private readonly accountId: string,
    private readonly namespace: string,
    private readonly options: AwsRetryOptions = {},
  ) {}

  listUsers(): AsyncIterable<readonly QuickSightUser[]> {
    return listPagesWithRetry(
      SERVICE,
      'ListUsers',
      async (token) => {
        const output = await this.client.send(
          new ListUsersCommand({
            AwsAccountId: this.accountId,
            Namespace: this.namespace,
            MaxResults: QUICKSIGHT_PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        return {
          items: (output.UserList ?? []).map(toQuickSightUser),
          nextToken: output.NextToken,
        };
      },
      this.options,
    );
  }

  deleteUser(userName: string): Promise<DeleteOutcome> {
    return this.deleteOnce('DeleteUser', () =>
      this.client.send(
        new DeleteUserCommand({
          AwsAccountId: this.accountId,
          Namespace: this.namespace,
          UserName: userName,
        }),
      ),
    );
  }

  deleteUserByPrincipalId(principalId: string): Promise<DeleteOutcome> {
    return this.deleteOnce('DeleteUserByPrincipalId', () =>
      this.client.send(
        new DeleteUserByPrincipalIdCommand({
          AwsAccountId: this.accountId,
          Namespace: this.namespace,
          PrincipalId: principalId,
        }),
      ),
    );
  }

  /**
   * One role change: DescribeUser, then UpdateUser with the user's own Email (UpdateUser requires
   * Email and Role; the fields not sent keep their values) unless it holds `role` already. The
   * read makes a repeat after a lost answer or a killed worker send no second UpdateUser. Not
   * retried here (the worker's attempts are).
   */
  async updateUserRole(userName: string, role: string): Promise<RoleChangeOutcome> {
    let current: User | undefined;
    try {
      const out = await this.client.send(
        new DescribeUserCommand({
          AwsAccountId: this.accountId,
          Namespace: this.namespace,
          UserName: userName,
        }),
      );
      current = out.User;
    } catch (error) {
      if (isMissingUser(error)) return 'not_found';
      throw new AwsCallError(SERVICE, 'DescribeUser', error, 1, this.options.endpoint);
    }
    if (current?.Role === role) return 'already_in_role';
    try {
      await this.client.send(
        new UpdateUserCommand({
          AwsAccountId: this.accountId,
          Namespace: this.namespace,
          UserName: userName,
          Email: current?.Email,
          Role: role as UserRole,
        }),
      );
      return 'role_changed';
    } catch (error) {
      if (isMissingUser(error)) return 'not_found';
      throw new AwsCallError(SERVICE, 'UpdateUser', error, 1, this.options.endpoint);
    }
  }

  /** One attempt; a missing user is an outcome, anything else an AwsCallError. */
  private async deleteOnce(
    operation: string,
    call: () => Promise<unknown>,
  ): Promise<DeleteOutcome> {
    try {
      await call();
      return 'deleted';
    } catch (error) {
      if (isMissingUser(error)) return 'not_found';
      throw new AwsCallError(SERVICE, operation, error, 1, this.options.endpoint);
    }
  }
}

/** A 404 about the user itself (not about the namespace, say). */
function isMissingUser(error: unknown): boolean {
  return isAwsError(error, 'QuickSightUserNotFoundException') || isResourceNotFound(error, 'USER');
}

/** The domain user of a ListUsers entry. A missing role reads as UNKNOWN (never a Reader). */
export function toQuickSightUser(user: User): QuickSightUser {
  return {
    userName: user.UserName ?? UNNAMED_USER,
    role: user.Role ?? 'UNKNOWN',
    identityType: user.IdentityType ?? 'UNKNOWN',
    arn: user.Arn ?? '',
    ...(user.Email !== undefined ? { email: user.Email } : {}),
    ...(user.PrincipalId !== undefined ? { principalId: user.PrincipalId } : {}),
    ...(user.Active !== undefined ? { active: user.Active } : {}),
  };
}

/**
 * The QuickSight users of every scope idsync manages (IDSYNC_QUICKSIGHT_ACCOUNTS), each scope
 * through its own port (its account's client and role, its namespace). One listing spans them
 * all, scope after scope, each row carrying its scope's key (`QuickSightUser.scope`), except the
 * home scope's (the home account's configured namespace), whose rows stay as single-account
 * idsync wrote them: an old snapshot row and a new one of the same user are equal. A listing
 * that fails in any scope fails as a whole (the snapshot is then PARTIAL). The writes go to the
 * scope a task names (`of`); the port's own writes are the home scope's.
 */

export interface ScopedPorts<P> {
  readonly scope: QuickSightScope;
  readonly port: P;
}

export class ScopedQuickSightUsers<P extends QuickSightPort = QuickSightPort>
  implements QuickSightPort
{
  constructor(
    private readonly scopes: readonly ScopedPorts<P>[],
    /** The home scope's key: IDSYNC_QUICKSIGHT_NAMESPACE. */
    private readonly homeKey: string,
  ) {}

  async *listUsers(): AsyncIterable<readonly QuickSightUser[]> {
    for (const { scope, port } of this.scopes)
      for await (const page of port.listUsers())
        yield scope.key === this.homeKey ? page : page.map((u) => ({ ...u, scope: scope.key }));
  }

  /** The ports of the scope keyed `key` (absent: the home scope); undefined when not configured. */
  of(key: string | undefined): ScopedPorts<P> | undefined {
    const wanted = key ?? this.homeKey;
    return this.scopes.find((s) => s.scope.key === wanted);
  }

  deleteUser(userName: string): Promise<DeleteOutcome> {
    return this.home().deleteUser(userName);
  }

  deleteUserByPrincipalId(principalId: string): Promise<DeleteOutcome> {
    return this.home().deleteUserByPrincipalId(principalId);
  }

  updateUserRole(userName: string, role: string): Promise<RoleChangeOutcome> {
    const port = this.home();
    if (!port.updateUserRole) throw new Error('this QuickSight port cannot change roles');
    return port.updateUserRole(userName, role);
  }

  private home(): P {
    const home = this.of(undefined);
    if (!home)
      throw new Error(
        `the home QuickSight namespace (${this.homeKey}) is not among IDSYNC_QUICKSIGHT_ACCOUNTS`,
      );
    return home.port;
  }
}

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
