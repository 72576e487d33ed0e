import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ListUsersCommand as ListIdcUsersCommand } from '@aws-sdk/client-identitystore';
import { ListUsersCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { type Sandbox, startSandbox } from '../../../services/sandbox/start-sandbox.js';
import {
  createCloudTrailClient,
  createIdentityStoreClient,
  createQuickSightClient,
} from '../../../shared/aws/clients.js';
import { nameRoleSessions } from '../../../shared/aws/role-session.js';
import { loadConfig } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';

/**
 * The per-service roles through the real SDK clients, built by shared/aws/clients.ts's factories,
 * against the sandbox whose STS stand-in issues the roles and whose QuickSight, IdentityStore and
 * CloudTrail stand-ins answer only calls signed with their own role's unexpired session.
 */

const ROLES = {
  quicksight: 'arn:aws:iam::111111111111:role/idsync-quicksight',
  identitystore: 'arn:aws:iam::222222222222:role/idsync-identitystore',
  cloudtrail: 'arn:aws:iam::111111111111:role/idsync-cloudtrail',
  externalId: 'idsync-test-external-id',
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ org: smallOrg(), roles: ROLES });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  vi.useRealTimers();
  sandbox.sts.state.sessionSeconds = undefined;
});

function clients(env: Record<string, string> = {}) {
  const config = loadConfig(['quicksight', 'identityStore'], { ...sandbox.env, ...env });
  return {
    config,
    qs: createQuickSightClient(config.aws, config.quicksight),
    idc: createIdentityStoreClient(config.aws),
    ct: createCloudTrailClient(config.aws),
  };
}

function listQuickSight(c: ReturnType<typeof clients>) {
  return c.qs.send(
    new ListUsersCommand({
      AwsAccountId: sandbox.org.accountId,
      Namespace: sandbox.org.namespace,
      MaxResults: 5,
    }),
  );
}

describe('per-service roles', () => {
  it('assumes each service its own role, named for the run, and signs its calls with that role', async () => {
    const before = sandbox.sts.state.assumed.length;
    const callsBefore = sandbox.sts.state.calls.length;
    nameRoleSessions('snapshot', '20261207T120000Z-ab12');
    const c = clients();
    try {
      const qs = await listQuickSight(c);
      const idc = await c.idc.send(
        new ListIdcUsersCommand({ IdentityStoreId: sandbox.org.identityStoreId, MaxResults: 5 }),
      );
      const ct = await c.ct.send(new LookupEventsCommand({ MaxResults: 5 }));
      expect(qs.UserList?.length).toBeGreaterThan(0);
      expect(idc.Users?.length).toBeGreaterThan(0);
      expect(ct.Events).toBeDefined();
    } finally {
      for (const client of [c.qs, c.idc, c.ct]) client.destroy();
    }
    const assumed = sandbox.sts.state.assumed.slice(before);
    expect(assumed.map((a) => a.roleArn).sort()).toEqual(
      [ROLES.quicksight, ROLES.identitystore, ROLES.cloudtrail].sort(),
    );
    for (const a of assumed) {
      expect(a.sessionName).toBe('idsync-snapshot-20261207T120000Z-ab12');
      expect(a.externalId).toBe(ROLES.externalId);
      // Signed with the process's own credentials, and granted.
      expect(a.sourceAccessKeyId).toBe('sandbox');
      expect(a.refused).toBeUndefined();
      expect(a.accessKeyId).toMatch(/^ASIA/);
    }
    // Three sessions, three different keys; each service's call signed with its role's key.
    expect(new Set(assumed.map((a) => a.accessKeyId)).size).toBe(3);
    const keyOf = (roleArn: string) => assumed.find((a) => a.roleArn === roleArn)?.accessKeyId;
    expect(sandbox.sts.state.calls.slice(callsBefore)).toEqual([
      expect.objectContaining({
        operation: 'quicksight:ListUsers',
        accessKeyId: keyOf(ROLES.quicksight),
        roleArn: ROLES.quicksight,
      }),
      expect.objectContaining({
        operation: 'identitystore:ListUsers',
        accessKeyId: keyOf(ROLES.identitystore),
        roleArn: ROLES.identitystore,
      }),
      expect.objectContaining({
        operation: 'cloudtrail:LookupEvents',
        accessKeyId: keyOf(ROLES.cloudtrail),
        roleArn: ROLES.cloudtrail,
      }),
    ]);
    expect(sandbox.sts.state.calls.slice(callsBefore).every((c) => !c.refused)).toBe(true);
  });

  it('without the role, the stand-in refuses the process own credentials (the check is live)', async () => {
    const env = { ...sandbox.env };
    delete (env as Record<string, string | undefined>).IDSYNC_QUICKSIGHT_ROLE_ARN;
    const config = loadConfig(['quicksight'], env);
    const qs = createQuickSightClient(config.aws, config.quicksight);
    try {
      await expect(
        qs.send(
          new ListUsersCommand({
            AwsAccountId: sandbox.org.accountId,
            Namespace: sandbox.org.namespace,
          }),
        ),
      ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    } finally {
      qs.destroy();
    }
  });

  it('refuses a wrong external id with an error naming the variables to check', async () => {
    const before = sandbox.sts.state.assumed.length;
    const c = clients({ IDSYNC_ROLE_EXTERNAL_ID: 'not-the-right-one' });
    try {
      const error = await listQuickSight(c).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      const config = error as ConfigError;
      expect(config.variable).toBe('IDSYNC_QUICKSIGHT_ROLE_ARN');
      expect(config.exitCode).toBe(2);
      expect(config.message).toContain('IDSYNC_ROLE_EXTERNAL_ID');
      expect(config.message).toContain(
        `is not authorized to perform: sts:AssumeRole on resource: ${ROLES.quicksight}`,
      );
      // The value of the external id is not shown.
      expect(config.message).not.toContain('not-the-right-one');
    } finally {
      for (const client of [c.qs, c.idc, c.ct]) client.destroy();
    }
    const refused = sandbox.sts.state.assumed.slice(before);
    expect(refused).toMatchObject([
      { roleArn: ROLES.quicksight, externalId: 'not-the-right-one', refused: 'AccessDenied' },
    ]);
  });

  it('refreshes the credentials when a run outlasts the role session', async () => {
    // Sessions of 15 minutes (STS's shortest); the clock moves on 20 minutes mid-run.
    sandbox.sts.state.sessionSeconds = 900;
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    nameRoleSessions('reconcile', '20261207T130000Z-cd34');
    const before = sandbox.sts.state.assumed.length;
    const callsBefore = sandbox.sts.state.calls.length;
    const c = clients();
    try {
      await listQuickSight(c);
      await listQuickSight(c);
      const first = sandbox.sts.state.assumed.slice(before);
      expect(first).toHaveLength(1);
      const oldKey = first[0]?.accessKeyId as string;
      const oldSession = sandbox.sts.state.session(oldKey);
      vi.setSystemTime(Date.now() + 20 * 60_000);
      // The first session has expired by the stand-in's clock: a call signed with it is refused.
      expect(oldSession && sandbox.sts.state.expired(oldSession)).toBe(true);
      const stale = new QuickSightClient({
        region: sandbox.org.region,
        endpoint: sandbox.quickSight.endpoint,
        maxAttempts: 1,
        credentials: {
          accessKeyId: oldKey,
          secretAccessKey: oldSession?.secretAccessKey ?? '',
          sessionToken: oldSession?.sessionToken ?? '',
        },
      });
      await expect(
        stale.send(
          new ListUsersCommand({
            AwsAccountId: sandbox.org.accountId,
            Namespace: sandbox.org.namespace,
          }),
        ),
      ).rejects.toMatchObject({ name: 'ExpiredTokenException' });
      stale.destroy();
      const callsAfterStale = sandbox.sts.state.calls.length;
      await listQuickSight(c);
      await listQuickSight(c);
      const all = sandbox.sts.state.assumed.slice(before);
      expect(all).toHaveLength(2);
      expect(all[1]?.accessKeyId).not.toBe(oldKey);
      expect(all[1]?.sessionName).toBe('idsync-reconcile-20261207T130000Z-cd34');
      // Two calls with the first session's key, then every call with the new one; none refused.
      const calls = [
        ...sandbox.sts.state.calls.slice(callsBefore, callsBefore + 2),
        ...sandbox.sts.state.calls.slice(callsAfterStale),
      ];
      expect(calls.map((call) => call.accessKeyId)).toEqual([
        oldKey,
        oldKey,
        all[1]?.accessKeyId,
        all[1]?.accessKeyId,
      ]);
      expect(calls.every((call) => call.refused === undefined)).toBe(true);
    } finally {
      for (const client of [c.qs, c.idc, c.ct]) client.destroy();
    }
  });
});
