import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  AccessDeniedException,
  DeleteUserByPrincipalIdCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  InvalidNextTokenException,
  InvalidParameterValueException,
  ListUsersCommand,
  paginateListUsers,
  RegisterUserCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-quicksight';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  federatedUserName,
  NAMESPACE,
  type QuickSightFixture,
  READER_ROLE,
  seedQuickSightReaders,
  startQuickSightFixture,
} from '../../../helpers/aws-sandbox.js';

/** Spread it into inputs: the SDK paginators write NextToken into the input they are given. */
const scope = { AwsAccountId: ACCOUNT_ID, Namespace: NAMESPACE };
const ALICE = federatedUserName('alice@example.com');

describe('QuickSight stand-in, driven by the real SDK client', () => {
  let qs: QuickSightFixture;
  beforeEach(async () => {
    qs = await startQuickSightFixture();
  });
  afterEach(() => qs.close());

  it('listens on 127.0.0.1 only', async () => {
    const url = new URL(qs.standIn.endpoint);
    expect(url.hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) await expect(canConnect(external.address, Number(url.port))).resolves.toBe(false);
    await expect(canConnect('127.0.0.1', Number(url.port))).resolves.toBe(true);
  });

  it('pages ListUsers through 2,200 users, 100 per page, each user exactly once', async () => {
    const seeded = seedQuickSightReaders(qs.state, 2_200);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListUsers({ client: qs.client }, { ...scope })) {
      pages++;
      expect(page.UserList?.length).toBeLessThanOrEqual(100);
      expect(page.Status).toBe(200);
      expect(page.RequestId).toMatch(/^[0-9a-f-]{36}$/);
      names.push(...(page.UserList ?? []).map((u) => u.UserName ?? ''));
    }
    expect(pages).toBe(22);
    expect(new Set(names).size).toBe(2_200);
    expect(new Set(names)).toEqual(new Set(seeded.map((u) => u.userName)));
  });

  it('keeps a listing whole while users are deleted between its pages', async () => {
    const seeded = seedQuickSightReaders(qs.state, 450);
    const victims = new Set([seeded[0], seeded[199], seeded[449]].map((u) => u?.userName ?? ''));
    const names: string[] = [];
    let first = true;
    for await (const page of paginateListUsers({ client: qs.client }, { ...scope })) {
      names.push(...(page.UserList ?? []).map((u) => u.UserName ?? ''));
      if (!first) continue;
      first = false;
      for (const UserName of victims)
        await qs.client.send(new DeleteUserCommand({ ...scope, UserName }));
    }
    expect(new Set(names).size).toBe(names.length);
    for (const user of seeded)
      if (!victims.has(user.userName)) expect(names).toContain(user.userName);
    expect(names.filter((n) => victims.has(n)).length).toBeLessThanOrEqual(1);
  });

  it('describes and deletes a `role/email` user (the slash arrives URL-encoded)', async () => {
    seedQuickSightReaders(qs.state, 3);
    qs.state.register({
      userName: ALICE,
      email: 'alice@example.com',
      role: 'READER',
      identityType: 'IAM',
      principalId: 'federated/iam/AROAALICE:alice@example.com',
    });
    const described = await qs.client.send(new DescribeUserCommand({ ...scope, UserName: ALICE }));
    expect(described.User).toMatchObject({
      UserName: ALICE,
      Email: 'alice@example.com',
      Role: 'READER',
      IdentityType: 'IAM',
      Arn: qs.state.arnOf(ALICE),
    });
    const deleted = await qs.client.send(new DeleteUserCommand({ ...scope, UserName: ALICE }));
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(qs.state.get(ALICE)).toBeUndefined();
    expect(qs.state.deletes.get(ALICE)).toBe(1);
    expect(qs.state.size).toBe(3);
    const again = qs.client.send(new DeleteUserCommand({ ...scope, UserName: ALICE }));
    await expect(again).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(qs.state.deletes.get(ALICE)).toBe(1);
  });

  it('deletes by principal id, and 404s a principal id it does not know', async () => {
    const [user] = seedQuickSightReaders(qs.state, 2);
    const principalId = user?.principalId ?? '';
    await qs.client.send(
      new DeleteUserByPrincipalIdCommand({ ...scope, PrincipalId: principalId }),
    );
    expect(qs.state.get(user?.userName ?? '')).toBeUndefined();
    const again = qs.client.send(
      new DeleteUserByPrincipalIdCommand({ ...scope, PrincipalId: principalId }),
    );
    await expect(again).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers an unknown user with ResourceNotFoundException (404, ResourceType USER)', async () => {
    const error = await qs.client
      .send(new DescribeUserCommand({ ...scope, UserName: ALICE }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ ResourceType: 'USER', $metadata: { httpStatusCode: 404 } });
  });

  it('registers IAM users as `<role name>/<session>` and refuses duplicates', async () => {
    const register = () =>
      qs.client.send(
        new RegisterUserCommand({
          ...scope,
          IdentityType: 'IAM',
          IamArn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/${READER_ROLE}`,
          SessionName: 'alice@example.com',
          Email: 'alice@example.com',
          UserRole: 'READER',
        }),
      );
    const registered = await register();
    expect(registered.User?.UserName).toBe(ALICE);
    expect(registered.User?.PrincipalId).toMatch(/^federated\/iam\/AROA/);
    expect(qs.state.get(ALICE)?.email).toBe('alice@example.com');
    await expect(register()).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('refuses another account (AccessDenied) and an unknown namespace (404 NAMESPACE)', async () => {
    const other = qs.client.send(new ListUsersCommand({ ...scope, AwsAccountId: '999999999999' }));
    await expect(other).rejects.toBeInstanceOf(AccessDeniedException);
    const error = await qs.client
      .send(new ListUsersCommand({ ...scope, Namespace: 'marketing' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ ResourceType: 'NAMESPACE' });
  });

  it('validates MaxResults and NextToken', async () => {
    const tooMany = qs.client.send(new ListUsersCommand({ ...scope, MaxResults: 101 }));
    await expect(tooMany).rejects.toBeInstanceOf(InvalidParameterValueException);
    const badToken = qs.client.send(new ListUsersCommand({ ...scope, NextToken: 'forged' }));
    await expect(badToken).rejects.toBeInstanceOf(InvalidNextTokenException);
  });

  it('surfaces its token bucket as the SDK ThrottlingException (429) with Retry-After', async () => {
    qs.standIn.faults.configure({ bucket: { rate: 0.5, burst: 1 } });
    await qs.client.send(new ListUsersCommand(scope));
    const error = await qs.client.send(new ListUsersCommand(scope)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    const headers = (error as { $response?: { headers: Record<string, string> } }).$response
      ?.headers;
    expect(headers?.['x-amzn-errortype']).toBe('ThrottlingException');
    expect(Number(headers?.['retry-after'])).toBe(2);
    expect(qs.standIn.faults.counters).toMatchObject({ calls: 2, throttled: 1 });
  });
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
