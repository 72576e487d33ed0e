import {
  DescribeUserCommand,
  type DescribeUserResponse,
  type IdentitystoreClient,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import type { IdcEmail, IdcUser } from '../domain.js';
import type { IdentityStorePort } from '../ports.js';
import {
  AwsCallError,
  type AwsRetryOptions,
  callWithRetry,
  isResourceNotFound,
  listPagesWithRetry,
} from './aws-errors.js';

/**
 * IdentityStorePort over the real IdentityStore client, for one identity store. Listing pages
 * through ListUsers 100 at a time; listing and DescribeUser retry transient failures
 * (throttling, 5xx, resets) at this one layer, honouring RetryAfterSeconds / Retry-After.
 */

const SERVICE = 'IdentityStore';
export const IDENTITY_STORE_PAGE_SIZE = 100;

/** The user fields shared by ListUsers' `User` and DescribeUser's response. */
type WireUser = Pick<
  DescribeUserResponse,
  'UserId' | 'UserName' | 'DisplayName' | 'Emails' | 'ExternalIds'
>;

export class IdentityStoreDirectory implements IdentityStorePort {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly identityStoreId: string,
    private readonly options: AwsRetryOptions = {},
  ) {}

  listUsers(): AsyncIterable<readonly IdcUser[]> {
    return listPagesWithRetry(
      SERVICE,
      'ListUsers',
      async (token) => {
        const output = await this.client.send(
          new ListUsersCommand({
            IdentityStoreId: this.identityStoreId,
            MaxResults: IDENTITY_STORE_PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        return { items: (output.Users ?? []).map(toIdcUser), nextToken: output.NextToken };
      },
      this.options,
    );
  }

  async describeUser(userId: string): Promise<IdcUser | undefined> {
    try {
      const output = await callWithRetry(
        SERVICE,
        'DescribeUser',
        () =>
          this.client.send(
            new DescribeUserCommand({ IdentityStoreId: this.identityStoreId, UserId: userId }),
          ),
        this.options,
      );
      return toIdcUser(output);
    } catch (error) {
      if (error instanceof AwsCallError && isResourceNotFound(error.cause, 'USER'))
        return undefined;
      throw error;
    }
  }
}

/** The domain user of an IdentityStore `User` (ListUsers) or DescribeUser response. */
export function toIdcUser(user: WireUser): IdcUser {
  return {
    userId: user.UserId ?? '',
    userName: user.UserName ?? '',
    ...(user.DisplayName !== undefined ? { displayName: user.DisplayName } : {}),
    emails: (user.Emails ?? []).flatMap((e): IdcEmail[] =>
      e.Value === undefined
        ? []
        : [
            {
              value: e.Value,
              ...(e.Type !== undefined ? { type: e.Type } : {}),
              ...(e.Primary !== undefined ? { primary: e.Primary } : {}),
            },
          ],
    ),
    externalIds: (user.ExternalIds ?? []).map((x) => ({ issuer: x.Issuer ?? '', id: x.Id ?? '' })),
  };
}
