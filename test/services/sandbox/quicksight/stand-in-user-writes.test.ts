import {
  AccessDeniedException,
  DeleteUserByPrincipalIdCommand,
  DeleteUserCommand,
  InvalidParameterValueException,
  ResourceNotFoundException,
  UpdateUserCommand,
} from '@aws-sdk/client-quicksight';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  federatedUserName,
  NAMESPACE,
  type QuickSightFixture,
  startQuickSightFixture,
} from '../../../helpers/aws-sandbox.js';

const scope = { AwsAccountId: ACCOUNT_ID, Namespace: NAMESPACE };
const REFUSAL = 'Operation is disabled for identities managed by IAM Identity Center';

describe('QuickSight stand-in: user writes by identity type', () => {
  let qs: QuickSightFixture;
  beforeEach(async () => {
    qs = await startQuickSightFixture();
    qs.state.register({
      userName: 'idc@example.com',
      email: 'idc@example.com',
      role: 'READER',
      identityType: 'IAM_IDENTITY_CENTER',
      principalId: 'user/d-1234567890/idc-1',
      active: true,
    });
    qs.state.register({
      userName: 'N/A',
      email: 'noname@example.com',
      role: 'READER',
      identityType: 'IAM_IDENTITY_CENTER',
      principalId: 'user/d-1234567890/idc-2',
      active: true,
    });
    qs.state.register({
      userName: federatedUserName('fed@example.com'),
      email: 'fed@example.com',
      role: 'AUTHOR',
      identityType: 'IAM',
      principalId: 'federated/iam/AROAFED:fed@example.com',
    });
    qs.state.register({
      userName: 'native',
      email: 'native@example.com',
      role: 'READER',
      identityType: 'QUICKSIGHT',
      principalId: 'user/d-1/native',
    });
  });
  afterEach(() => qs.close());

  const refused = async (call: Promise<unknown>) => {
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error).toMatchObject({ message: REFUSAL, $metadata: { httpStatusCode: 401 } });
  };

  it('refuses DeleteUser, DeleteUserByPrincipalId and UpdateUser of an IAM_IDENTITY_CENTER user', async () => {
    await refused(qs.client.send(new DeleteUserCommand({ ...scope, UserName: 'idc@example.com' })));
    await refused(
      qs.client.send(
        new DeleteUserByPrincipalIdCommand({ ...scope, PrincipalId: 'user/d-1234567890/idc-2' }),
      ),
    );
    await refused(
      qs.client.send(
        new UpdateUserCommand({
          ...scope,
          UserName: 'idc@example.com',
          Email: 'idc@example.com',
          Role: 'AUTHOR',
        }),
      ),
    );
    expect(qs.state.get('idc@example.com')?.role).toBe('READER');
    expect(qs.state.size).toBe(4);
    expect(qs.state.deletes.size).toBe(0);
  });

  it('updates IAM and QUICKSIGHT users: Role and Email change, the other fields stay', async () => {
    const name = federatedUserName('fed@example.com');
    const before = qs.state.get(name);
    const answer = await qs.client.send(
      new UpdateUserCommand({ ...scope, UserName: name, Email: 'fed@example.com', Role: 'READER' }),
    );
    expect(answer.User).toMatchObject({ UserName: name, Role: 'READER', IdentityType: 'IAM' });
    expect(qs.state.get(name)).toEqual({ ...before, role: 'READER' });
    await qs.client.send(
      new UpdateUserCommand({
        ...scope,
        UserName: 'native',
        Email: 'new@example.com',
        Role: 'AUTHOR_PRO',
      }),
    );
    expect(qs.state.get('native')).toMatchObject({
      email: 'new@example.com',
      role: 'AUTHOR_PRO',
      identityType: 'QUICKSIGHT',
      principalId: 'user/d-1/native',
    });
    expect(qs.state.updates.get('native')).toBe(1);
  });

  it('answers UpdateUser without a valid Role, or of an unknown user, as AWS does', async () => {
    const name = federatedUserName('fed@example.com');
    await expect(
      qs.client.send(
        new UpdateUserCommand({
          ...scope,
          UserName: name,
          Email: 'fed@example.com',
          Role: 'OWNER' as 'READER',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      qs.client.send(
        new UpdateUserCommand({
          ...scope,
          UserName: 'ghost',
          Email: 'g@example.com',
          Role: 'READER',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(qs.state.get(name)?.role).toBe('AUTHOR');
  });
});
