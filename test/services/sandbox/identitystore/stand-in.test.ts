import {
  ConflictException,
  CreateUserCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  ListUsersCommand,
  paginateListUsers,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-identitystore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IDENTITY_STORE_ID,
  type IdentityStoreFixture,
  seedIdcUsers,
  startIdentityStoreFixture,
} from '../../../helpers/aws-sandbox.js';

/** Spread it into inputs: the SDK paginators write NextToken into the input they are given. */
const store = { IdentityStoreId: IDENTITY_STORE_ID };

describe('IdentityStore stand-in, driven by the real SDK client', () => {
  let idc: IdentityStoreFixture;
  beforeEach(async () => {
    idc = await startIdentityStoreFixture();
  });
  afterEach(() => idc.close());

  it('listens on 127.0.0.1', () => {
    expect(new URL(idc.standIn.endpoint).hostname).toBe('127.0.0.1');
  });

  it('pages ListUsers 100 at a time, each user once, in the real User shape', async () => {
    const seeded = seedIdcUsers(idc.state, 250);
    const users = [];
    const sizes: number[] = [];
    for await (const page of paginateListUsers({ client: idc.client }, { ...store })) {
      sizes.push(page.Users?.length ?? 0);
      users.push(...(page.Users ?? []));
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(users.map((u) => u.UserId))).toEqual(new Set(seeded.map((u) => u.userId)));
    const first = seeded[0];
    expect(users.find((u) => u.UserId === first?.userId)).toEqual({
      IdentityStoreId: IDENTITY_STORE_ID,
      UserId: first?.userId,
      UserName: 'user0@example.com',
      DisplayName: 'User 0',
      Name: { Formatted: 'User 0', GivenName: 'User', FamilyName: '0' },
      Emails: [{ Value: 'user0@example.com', Type: 'work', Primary: true }],
      ExternalIds: [{ Issuer: 'https://scim.example.com', Id: 'ext-0' }],
    });
  });

  it('creates, describes and deletes a user; a deleted user is a ResourceNotFoundException', async () => {
    const created = await idc.client.send(
      new CreateUserCommand({
        ...store,
        UserName: 'alice@example.com',
        DisplayName: 'Alice Doe',
        Name: { GivenName: 'Alice', FamilyName: 'Doe' },
        Emails: [{ Value: 'alice@example.com', Type: 'work', Primary: true }],
      }),
    );
    const userId = created.UserId ?? '';
    expect(idc.state.get(userId)?.userName).toBe('alice@example.com');
    const described = await idc.client.send(new DescribeUserCommand({ ...store, UserId: userId }));
    expect(described).toMatchObject({
      UserId: userId,
      UserName: 'alice@example.com',
      DisplayName: 'Alice Doe',
      Emails: [{ Value: 'alice@example.com', Type: 'work', Primary: true }],
    });
    await idc.client.send(new DeleteUserCommand({ ...store, UserId: userId }));
    expect(idc.state.get(userId)).toBeUndefined();
    const error = await idc.client
      .send(new DescribeUserCommand({ ...store, UserId: userId }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({
      ResourceType: 'USER',
      ResourceId: userId,
      $metadata: { httpStatusCode: 404 },
    });
    const again = idc.client.send(new DeleteUserCommand({ ...store, UserId: userId }));
    await expect(again).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a second user with the same user name (ConflictException)', async () => {
    seedIdcUsers(idc.state, 1);
    const duplicate = idc.client.send(
      new CreateUserCommand({ ...store, UserName: 'USER0@example.com', DisplayName: 'Dup' }),
    );
    await expect(duplicate).rejects.toBeInstanceOf(ConflictException);
  });

  it('resolves GetUserId by userName, emails.value and ExternalId', async () => {
    const [, bob] = seedIdcUsers(idc.state, 3);
    const byAttribute = (AttributePath: string, AttributeValue: string) =>
      idc.client.send(
        new GetUserIdCommand({
          ...store,
          AlternateIdentifier: { UniqueAttribute: { AttributePath, AttributeValue } },
        }),
      );
    await expect(byAttribute('userName', 'user1@example.com')).resolves.toMatchObject({
      UserId: bob?.userId,
      IdentityStoreId: IDENTITY_STORE_ID,
    });
    await expect(byAttribute('emails.value', 'User1@Example.com')).resolves.toMatchObject({
      UserId: bob?.userId,
    });
    const byExternalId = await idc.client.send(
      new GetUserIdCommand({
        ...store,
        AlternateIdentifier: { ExternalId: { Issuer: 'https://scim.example.com', Id: 'ext-1' } },
      }),
    );
    expect(byExternalId.UserId).toBe(bob?.userId);
    await expect(byAttribute('userName', 'nobody@example.com')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(byAttribute('title', 'x')).rejects.toBeInstanceOf(ValidationException);
  });

  it('answers a wrong identity store id with 404 IDENTITY_STORE, a malformed one with 400', async () => {
    const unknown = await idc.client
      .send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' }))
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(unknown).toMatchObject({ ResourceType: 'IDENTITY_STORE' });
    const malformed = idc.client.send(new ListUsersCommand({ IdentityStoreId: 'not-a-store' }));
    await expect(malformed).rejects.toBeInstanceOf(ValidationException);
  });

  it('validates MaxResults and NextToken', async () => {
    const tooMany = idc.client.send(new ListUsersCommand({ ...store, MaxResults: 101 }));
    await expect(tooMany).rejects.toBeInstanceOf(ValidationException);
    const forged = idc.client.send(new ListUsersCommand({ ...store, NextToken: 'forged' }));
    await expect(forged).rejects.toBeInstanceOf(ValidationException);
  });
});
