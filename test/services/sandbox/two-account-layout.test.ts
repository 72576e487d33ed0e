import { IdentitystoreClient, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../../services/events/handler.js';
import type { EventBridgeEnvelope } from '../../../services/sandbox/cloudtrail-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { MemoryTaskQueue } from '../../../shared/aws/sqs-task-messages.js';
import { captureLogs } from '../../helpers/lambda.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * The sandbox's two-account layout (`idsync sandbox --layout two-account`): IAM Identity Center
 * in its own account, reached only through the reader role there (issued by the STS stand-in),
 * QuickSight and idsync in the organisation's account. A reconcile reads IdC through the role and
 * deletes in QuickSight; the events function acts on the IdC account's events only.
 */
describe('the sandbox two-account layout', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let idcAccount: string;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), layout: 'two-account' });
    idcAccount = t.sandbox.org.identityCenterAccountId ?? '';
  });
  afterAll(async () => t?.close());

  const readerRole = () => t.sandbox.env.IDSYNC_IDENTITYSTORE_ROLE_ARN;
  const afterSnapshot = () => new Date(Date.now() + 2_000);

  it('puts IdC in another account, named in the environment with its reader role', () => {
    expect(idcAccount).toMatch(/^\d{12}$/);
    expect(idcAccount).not.toBe(t.sandbox.org.accountId);
    expect(t.sandbox.env).toMatchObject({
      IDSYNC_IDC_ACCOUNT_ID: idcAccount,
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: t.sandbox.org.accountId,
      IDSYNC_IDENTITYSTORE_ROLE_ARN: `arn:aws:iam::${idcAccount}:role/Idsync-identity-center-reader`,
      IDSYNC_ROLE_EXTERNAL_ID: expect.any(String),
    });
    // QuickSight is in idsync's own account: no role there.
    expect(t.sandbox.env.IDSYNC_QUICKSIGHT_ROLE_ARN).toBeUndefined();
  });

  it('refuses the QuickSight account’s own credentials at IdentityStore, AccessDenied', async () => {
    const client = new IdentitystoreClient({
      region: t.sandbox.org.region,
      endpoint: t.sandbox.identityStore.endpoint,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      maxAttempts: 1,
    });
    try {
      const call = client.send(
        new ListUsersCommand({ IdentityStoreId: t.sandbox.org.identityStoreId, MaxResults: 5 }),
      );
      await expect(call).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(call).rejects.toThrow(
        `User: arn:aws:iam::${t.sandbox.org.accountId}:user/sandbox is not authorized to perform: identitystore:ListUsers on resource: arn:aws:identitystore::${idcAccount}:identitystore/`,
      );
    } finally {
      client.destroy();
    }
  });

  it('reconciles across the accounts: IdC read through the assumed role, QuickSight deleted in its own', async () => {
    const org = t.sandbox.org;
    const sts = t.sandbox.sts.state;
    const assumedBefore = sts.assumed.length;
    const callsBefore = sts.calls.length;
    await snapshotOk(t.sandbox);
    const { leavers } = removePeople(org, { count: 1 }, { now: afterSnapshot() });
    const [leaver] = leavers.emails;
    const before = org.quickSight.list().filter((u) => u.email === leaver).length;
    expect(before).toBeGreaterThan(0);

    const result = await runCliOn(t.sandbox, ['reconcile', '--apply']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(org.quickSight.list().filter((u) => u.email === leaver)).toEqual([]);

    const assumed = sts.assumed.slice(assumedBefore);
    expect(assumed.length).toBeGreaterThan(0);
    for (const a of assumed) {
      expect(a).toMatchObject({
        roleArn: readerRole(),
        externalId: t.sandbox.env.IDSYNC_ROLE_EXTERNAL_ID,
      });
      expect(a.refused).toBeUndefined();
    }
    expect(assumed.map((a) => a.sessionName)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^idsync-reconcile-/)]),
    );
    const idcCalls = sts.calls
      .slice(callsBefore)
      .filter((c) => c.operation.startsWith('identitystore:'));
    expect(idcCalls.length).toBeGreaterThan(0);
    expect(idcCalls.every((c) => c.roleArn === readerRole() && !c.refused)).toBe(true);
  });

  it('acts on an IdC event of the IdC account, and ignores one of a third account or of the QuickSight account', async () => {
    const org = t.sandbox.org;
    // Its own COMPLETE snapshot, older than the event: the case does not lean on the one above.
    await snapshotOk(t.sandbox);
    const queue = new MemoryTaskQueue();
    const handle = createEventsHandler(
      { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent' },
      { queue, logDestination: captureLogs().stream },
    );
    const { events } = removePeople(org, { count: 1 }, { now: afterSnapshot() });
    const genuine = events[0] as EventBridgeEnvelope;
    expect(genuine.account).toBe(idcAccount);
    const from = (account: string): EventBridgeEnvelope => ({
      ...genuine,
      id: `${genuine.id.slice(0, -4)}${account.slice(-4)}`,
      account,
      detail: { ...genuine.detail, recipientAccountId: account, eventID: `${account}-x` },
    });

    const third = await handle(from('999988887777'));
    expect(third).toMatchObject({ outcomes: { foreign: 1 }, removals: 0 });
    const quickSightAccount = await handle(from(org.accountId));
    expect(quickSightAccount).toMatchObject({ outcomes: { foreign: 1 }, removals: 0 });
    expect(queue.sent).toEqual([]);

    const real = await handle(genuine);
    expect(real).toMatchObject({ outcomes: { resolved: 1 }, removals: 1 });
  });
});
