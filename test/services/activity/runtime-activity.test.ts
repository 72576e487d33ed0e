import { describe, expect, it } from 'vitest';
import {
  buildCloudTrailLookups,
  historiesToRead,
} from '../../../services/activity/runtime-activity.js';
import { createLogger } from '../../../shared/logger.js';
import { quickSightScopes } from '../../../shared/quicksight-scopes.js';

const HOME = '111111111111';
const B = '222222222222';
const ROLE_B = `arn:aws:iam::${B}:role/idsync-reader`;

function scopesOf(entries: Parameters<typeof quickSightScopes>[0]['entries']) {
  const built = quickSightScopes({ accountId: HOME, namespace: 'default', entries });
  if (!built.ok) throw new Error(built.message);
  return built.value;
}

describe('the CloudTrail histories activity sync reads', () => {
  it('reads the home account as ever and every other account with its scopes’ role', () => {
    const scopes = scopesOf([
      { accountId: HOME, namespaces: [] },
      { accountId: B, namespaces: ['default', 'sales'], roleArn: ROLE_B },
    ]);
    expect(historiesToRead({ accountId: HOME, scopes })).toEqual([
      {},
      { accountId: B, roleArn: ROLE_B },
    ]);
  });

  it('leaves out the home account when no scope is in it', () => {
    const scopes = scopesOf([{ accountId: B, namespaces: [], roleArn: ROLE_B }]);
    expect(historiesToRead({ accountId: HOME, scopes })).toEqual([
      { accountId: B, roleArn: ROLE_B },
    ]);
  });

  it('builds one lookup per account and region, each named by its account', () => {
    const scopes = scopesOf([
      { accountId: HOME, namespaces: [] },
      { accountId: B, namespaces: ['sales'], roleArn: ROLE_B },
    ]);
    const lookups = buildCloudTrailLookups(
      {
        aws: { region: 'eu-west-1', endpoints: {} },
        activity: { regions: ['eu-west-1', 'us-east-1'] } as never,
        quicksight: { accountId: HOME, scopes },
      },
      createLogger({ level: 'error' }),
    );
    try {
      expect(lookups.regions.map((r) => [r.accountId ?? 'home', r.region])).toEqual([
        ['home', 'eu-west-1'],
        ['home', 'us-east-1'],
        [B, 'eu-west-1'],
        [B, 'us-east-1'],
      ]);
    } finally {
      lookups.close();
    }
  });
});
