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
import type { QuickSightUser } from '../domain.js';
import type { DeleteOutcome, QuickSightPort, RoleChangeOutcome } from '../ports.js';
import { UNNAMED_USER } from '../unnamed-user.js';
import {
  AwsCallError,
  type AwsRetryOptions,
  isAwsError,
  isResourceNotFound,
  listPagesWithRetry,
} from './aws-errors.js';

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
