import { ListUsersCommand } from '@aws-sdk/client-quicksight';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../../services/sandbox/scenarios/org.js';
import { sandboxRoles } from '../../../../services/sandbox/scenarios/roles.js';
import { type Sandbox, startSandbox } from '../../../../services/sandbox/start-sandbox.js';
import { createQuickSightClient } from '../../../../shared/aws/clients.js';
import { nameRoleSessions } from '../../../../shared/aws/role-session.js';
import { loadConfig } from '../../../../shared/config/index.js';
import { runCliOn } from '../../../helpers/sandbox.js';

/** `idsync sandbox --roles` and `idsync sandbox roles`: who assumed what, through the control. */

let sandbox: Sandbox;
beforeAll(async () => {
  const org = smallOrg();
  sandbox = await startSandbox({ org, control: true, roles: sandboxRoles(org.accountId) });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('idsync sandbox roles', () => {
  it('names the roles in the printed environment', () => {
    const roles = sandboxRoles(sandbox.org.accountId);
    expect(sandbox.env).toMatchObject({
      AWS_ENDPOINT_URL_STS: sandbox.sts.endpoint,
      IDSYNC_QUICKSIGHT_ROLE_ARN: roles.quicksight,
      IDSYNC_IDENTITYSTORE_ROLE_ARN: roles.identitystore,
      IDSYNC_CLOUDTRAIL_ROLE_ARN: roles.cloudtrail,
      IDSYNC_ROLE_EXTERNAL_ID: roles.externalId,
    });
  });

  it('shows who assumed which role, and sets how long sessions last', async () => {
    const empty = await runCliOn(sandbox, ['sandbox', 'roles']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no AssumeRole yet');

    const short = await runCliOn(sandbox, ['sandbox', 'roles', '--session-seconds', '900']);
    expect(short.stdout).toContain('role sessions last 900 s');

    nameRoleSessions('plan', '20261207T140000Z-ef56');
    const config = loadConfig(['quicksight'], sandbox.env);
    const qs = createQuickSightClient(config.aws, config.quicksight);
    await qs.send(
      new ListUsersCommand({
        AwsAccountId: sandbox.org.accountId,
        Namespace: sandbox.org.namespace,
      }),
    );
    qs.destroy();

    const shown = await runCliOn(sandbox, ['sandbox', 'roles', '--json']);
    const state = JSON.parse(shown.stdout);
    expect(state.sessionSeconds).toBe(900);
    expect(state.assumed).toEqual([
      expect.objectContaining({
        roleArn: config.aws.roles?.quicksight,
        sessionName: 'idsync-plan-20261207T140000Z-ef56',
        sourceAccessKeyId: 'sandbox',
      }),
    ]);
    const [record] = state.assumed;
    expect(Date.parse(record.expiresAt) - Date.parse(record.at)).toBe(900_000);
    expect(state.callsByRole).toEqual({
      [config.aws.roles?.quicksight as string]: { calls: 1, refused: 0 },
    });
    const text = await runCliOn(sandbox, ['sandbox', 'roles', '--session-seconds', 'default']);
    expect(text.stdout).toContain('role sessions last as asked');
    expect(text.stdout).toMatch(
      /assumed {2}arn:aws:iam::\d{12}:role\/idsync-quicksight {2}session idsync-plan-/,
    );
    // The external id's value is not shown.
    expect(text.stdout).not.toContain(config.aws.externalId as string);
  });

  it('refuses a bad --session-seconds', async () => {
    const bad = await runCliOn(sandbox, ['sandbox', 'roles', '--session-seconds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--session-seconds must be 1 to 43200 or default');
  });
});
