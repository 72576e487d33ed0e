import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNTS_VARIABLE,
  buildCloudTrailLookups,
  historiesToRead,
} from '../../../services/activity/runtime-activity.js';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { type Sandbox, startSandbox } from '../../../services/sandbox/start-sandbox.js';
import { checkServiceRoles } from '../../../shared/aws/check-roles.js';
import { loadConfig } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';
import { createLogger } from '../../../shared/logger.js';

/**
 * `activity sync`'s CloudTrail lookups per QuickSight account against the sandbox: the home
 * account's history with the process's own credentials, account B's with B's role (assumed from
 * the STS stand-in), each seeing only its own account's events.
 */

const B = '222222222222';
const ROLE_B = `arn:aws:iam::${B}:role/idsync-quicksight`;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ org: smallOrg() });
  sandbox.sts.state.addRole({ roleArn: ROLE_B });
  const at = new Date(Date.now() - 3_600_000);
  sandbox.cloudTrailState.add([
    quickSightEvent({
      accountId: B,
      region: sandbox.org.region,
      time: at,
      eventName: 'GetDashboard',
      actor: { kind: 'native', userName: 'bob' },
    }),
  ]);
});
afterAll(async () => {
  await sandbox?.close();
});

describe('CloudTrail history per QuickSight account', () => {
  it("reads each account's history with its own credentials and sees only that account's events", async () => {
    const home = sandbox.org.accountId;
    const config = loadConfig(['quicksight', 'activity'], {
      ...sandbox.env,
      IDSYNC_ACTIVITY_REGIONS: sandbox.org.region,
      IDSYNC_QUICKSIGHT_ACCOUNTS: `${home},${B}:sales@${ROLE_B}`,
    });
    const lookups = buildCloudTrailLookups(config, createLogger({ level: 'error' }));
    try {
      const from = new Date(Date.now() - 2 * 86_400_000);
      const to = new Date();
      const accountsOf = async (i: number) => {
        const lane = lookups.regions[i];
        const page = await lane?.lookup.lookup({ from, to });
        return new Set(page?.records.map((r) => r.recipientAccountId));
      };
      expect(lookups.regions.map((r) => r.accountId)).toEqual([undefined, B]);
      expect([...(await accountsOf(1))]).toEqual([B]);
      expect(await accountsOf(0)).not.toContain(B);
      // B's history was read with B's role, which the STS stand-in issued.
      expect(sandbox.sts.state.assumed.map((a) => a.roleArn)).toContain(ROLE_B);
    } finally {
      lookups.close();
    }
  });
  it("refuses a QuickSight account's role STS will not issue before reading, naming IDSYNC_QUICKSIGHT_ACCOUNTS", async () => {
    const refused = `arn:aws:iam::${B}:role/not-trusted`;
    const config = loadConfig(['quicksight', 'activity'], {
      ...sandbox.env,
      IDSYNC_QUICKSIGHT_ACCOUNTS: `${sandbox.org.accountId},${B}@${refused}`,
    });
    const roles = historiesToRead(config.quicksight).flatMap((h) =>
      h.roleArn ? [{ roleArn: h.roleArn, variable: ACCOUNTS_VARIABLE }] : [],
    );
    const error = await checkServiceRoles(config.aws, ['cloudtrail'], roles).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('IDSYNC_QUICKSIGHT_ACCOUNTS');
    expect((error as Error).message).toContain(refused);
  });
});
