import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * The CLI with a role for each service (README "Roles in other accounts"): the sandbox's STS
 * stand-in issues the roles, and the QuickSight, IdentityStore and CloudTrail stand-ins answer
 * only calls signed with their own role's session.
 */

const ROLES = {
  quicksight: 'arn:aws:iam::111111111111:role/idsync-quicksight',
  identitystore: 'arn:aws:iam::222222222222:role/idsync-identitystore',
  cloudtrail: 'arn:aws:iam::111111111111:role/idsync-cloudtrail',
  externalId: 'idsync-cli-external-id',
};
const SESSION = /^idsync-(reconcile|activity-sync|snapshot)-\d{8}T\d{6}Z-[0-9a-f]{4}$/;

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({ org: smallOrg(), roles: ROLES });
});
afterAll(async () => {
  await t?.close();
});

describe('idsync with a role for each service', () => {
  it('reconcile --apply and activity sync: three roles assumed, each service called with its own', async () => {
    await snapshotOk(t.sandbox);
    const { leavers } = removePeople(t.sandbox.org, { count: 1, seed: 5 });
    expect(leavers.ordinary).toHaveLength(1);
    const state = t.sandbox.sts.state;
    const before = state.assumed.length;
    const callsBefore = state.calls.length;

    const reconcile = await runCliOn(t.sandbox, ['reconcile', '--apply']);
    expect(reconcile.code, reconcile.stdout + reconcile.stderr).toBe(0);
    expect(reconcile.stdout).toMatch(/applied: 1 deleted/);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);

    const assumed = state.assumed.slice(before);
    expect(assumed.map((a) => a.roleArn).sort()).toEqual(
      [ROLES.cloudtrail, ROLES.identitystore, ROLES.quicksight].sort(),
    );
    for (const a of assumed) {
      expect(a.sessionName).toMatch(SESSION);
      expect(a.externalId).toBe(ROLES.externalId);
      expect(a.refused).toBeUndefined();
    }
    const sessionOf = (role: string) => assumed.find((a) => a.roleArn === role)?.sessionName;
    // The reconcile's two sessions share its name; the sync's is its own.
    expect(sessionOf(ROLES.quicksight)).toMatch(/^idsync-reconcile-/);
    expect(sessionOf(ROLES.identitystore)).toBe(sessionOf(ROLES.quicksight));
    expect(sessionOf(ROLES.cloudtrail)).toMatch(/^idsync-activity-sync-/);

    const keyOf = (role: string) => assumed.find((a) => a.roleArn === role)?.accessKeyId;
    const calls = state.calls.slice(callsBefore);
    expect(calls.some((c) => c.operation === 'quicksight:DeleteUser')).toBe(true);
    for (const call of calls) {
      const service = call.operation.split(':')[0] as 'quicksight' | 'identitystore' | 'cloudtrail';
      expect(call.refused).toBeUndefined();
      expect(call.accessKeyId, call.operation).toBe(keyOf(ROLES[service]));
    }
    expect(new Set(calls.map((c) => c.operation.split(':')[0]))).toEqual(
      new Set(['quicksight', 'identitystore', 'cloudtrail']),
    );
  });

  it('a wrong external id ends snapshot, reconcile and activity sync as a configuration error naming the variables', async () => {
    const before = t.sandbox.sts.state.assumed.length;
    for (const argv of [['snapshot'], ['reconcile', '--apply'], ['activity', 'sync']]) {
      const result = await runCliOn(t.sandbox, argv, {
        IDSYNC_ROLE_EXTERNAL_ID: 'not-the-agreed-id',
      });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      const out = result.stderr;
      expect(out).toContain('STS refused to let idsync assume');
      expect(out).toContain(
        'is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::',
      );
      expect(out).toContain('IDSYNC_ROLE_EXTERNAL_ID');
      expect(out).not.toContain('not-the-agreed-id');
    }
    const snapshot = await runCliOn(t.sandbox, ['snapshot'], {
      IDSYNC_ROLE_EXTERNAL_ID: 'not-the-agreed-id',
    });
    // Both refused roles are named, each with its own variable.
    expect(snapshot.stderr).toContain(
      `IDSYNC_QUICKSIGHT_ROLE_ARN: STS refused to let idsync assume ${ROLES.quicksight}`,
    );
    expect(snapshot.stderr).toContain(
      `IDSYNC_IDENTITYSTORE_ROLE_ARN: STS refused to let idsync assume ${ROLES.identitystore}`,
    );
    const refused = t.sandbox.sts.state.assumed.slice(before);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.refused === 'AccessDenied')).toBe(true);
  });
});
