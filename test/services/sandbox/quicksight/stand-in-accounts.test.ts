import {
  DeleteUserCommand,
  ListUsersCommand,
  QuickSightClient,
  SearchDashboardsCommand,
} from '@aws-sdk/client-quicksight';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StandIn } from '../../../../services/sandbox/http/stand-in.js';
import { startQuickSightStandIn } from '../../../../services/sandbox/quicksight/stand-in.js';
import { QuickSightState } from '../../../../services/sandbox/state/quicksight-state.js';
import { signedByRole, signedInAccount } from '../../../../services/sandbox/sts/role-check.js';
import { StsState } from '../../../../services/sandbox/sts/sts-state.js';

/**
 * The QuickSight stand-in serving several accounts and namespaces, as QuickSight does: users per
 * account and namespace, assets per account, each account answering only its own credentials.
 */

const HOME = '111122223333';
const OTHER = '444455556666';
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/idsync-quicksight`;
const REGION = 'us-east-1';
const OWN = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

describe('QuickSight stand-in, several accounts and namespaces', () => {
  let standIn: StandIn;
  let sts: StsState;
  let home: QuickSightState;
  let sales: QuickSightState;
  let other: QuickSightState;
  const clients: QuickSightClient[] = [];

  beforeEach(async () => {
    sts = new StsState(HOME);
    sts.addRole({ roleArn: OTHER_ROLE });
    home = new QuickSightState(HOME, 'default', REGION);
    sales = new QuickSightState(HOME, 'sales', REGION, home.assets);
    other = new QuickSightState(OTHER, 'default', REGION);
    for (const state of [home, sales, other])
      state.register({
        userName: 'reader/alice@example.com',
        email: 'alice@example.com',
        role: 'READER',
        identityType: 'IAM',
      });
    standIn = await startQuickSightStandIn([home, sales, other], {
      accountChecks: new Map([
        [HOME, signedInAccount(sts, HOME)],
        [
          OTHER,
          signedByRole(sts, OTHER_ROLE, {
            otherAccount: {
              accessKeyId: 'sandbox',
              principalArn: `arn:aws:iam::${HOME}:user/sandbox`,
              resourceArn: `arn:aws:quicksight:${REGION}:${OTHER}:user/default/*`,
            },
          }),
        ],
      ]),
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await standIn.close();
  });

  const client = (credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }) => {
    const c = new QuickSightClient({
      region: REGION,
      endpoint: standIn.endpoint,
      credentials,
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const otherSession = () => {
    const session = sts.assumeRole(
      { roleArn: OTHER_ROLE, sessionName: 'idsync-test' },
      'sandbox',
      `arn:aws:iam::${HOME}:user/sandbox`,
    );
    if ('code' in session) throw new Error(session.message);
    return client(session);
  };
  const list = (c: QuickSightClient, account: string, namespace: string) =>
    c.send(new ListUsersCommand({ AwsAccountId: account, Namespace: namespace }));

  it('lists each account and namespace apart, with its own ARNs', async () => {
    const own = client(OWN);
    const [inDefault, inSales, inOther] = await Promise.all([
      list(own, HOME, 'default'),
      list(own, HOME, 'sales'),
      list(otherSession(), OTHER, 'default'),
    ]);
    expect(inDefault.UserList?.map((u) => u.Arn)).toEqual([
      `arn:aws:quicksight:${REGION}:${HOME}:user/default/reader/alice@example.com`,
    ]);
    expect(inSales.UserList?.map((u) => u.Arn)).toEqual([
      `arn:aws:quicksight:${REGION}:${HOME}:user/sales/reader/alice@example.com`,
    ]);
    expect(inOther.UserList?.map((u) => u.Arn)).toEqual([
      `arn:aws:quicksight:${REGION}:${OTHER}:user/default/reader/alice@example.com`,
    ]);
  });

  it("refuses the other account to the home account's credentials, and the home account to the other's role", async () => {
    await expect(list(client(OWN), OTHER, 'default')).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(list(otherSession(), HOME, 'default')).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const refused = sts.calls.filter((c) => c.refused);
    expect(refused.map((c) => c.refused)).toEqual([
      'AccessDeniedException',
      'AccessDeniedException',
    ]);
  });

  it('answers an account it does not hold AccessDenied, and an unknown namespace ResourceNotFound', async () => {
    await expect(list(client(OWN), '999988887777', 'default')).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(list(client(OWN), HOME, 'marketing')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('deletes in the namespace called only, and records who called', async () => {
    await client(OWN).send(
      new DeleteUserCommand({
        AwsAccountId: HOME,
        Namespace: 'sales',
        UserName: 'reader/alice@example.com',
      }),
    );
    expect(sales.size).toBe(0);
    expect(home.size).toBe(1);
    expect(other.size).toBe(1);
    expect(sales.calls).toEqual([{ operation: 'DeleteUser', accessKeyId: 'sandbox' }]);
    expect(home.calls).toEqual([]);
  });

  it("serves each account's own assets", async () => {
    home.assets.add('dashboard', 'home-dash', 'home', [
      {
        principal: home.arnOf('reader/alice@example.com'),
        actions: ['quicksight:DescribeDashboard'],
      },
    ]);
    const search = (c: QuickSightClient, account: string) =>
      c.send(
        new SearchDashboardsCommand({
          AwsAccountId: account,
          Filters: [
            {
              Name: 'QUICKSIGHT_USER',
              Operator: 'StringEquals',
              Value: home.arnOf('reader/alice@example.com'),
            },
          ],
        }),
      );
    const found = await search(client(OWN), HOME);
    expect(found.DashboardSummaryList?.map((d) => d.DashboardId)).toEqual(['home-dash']);
    const elsewhere = await search(otherSession(), OTHER);
    expect(elsewhere.DashboardSummaryList ?? []).toEqual([]);
  });
});
