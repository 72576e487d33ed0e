import { describe, expect, it } from 'vitest';
import { jobEnvironment } from '../../../infra/stacks/environment.js';
import { settingsFrom } from '../../../infra/stacks/settings.js';
import { extractEvent } from '../../../services/events/parse-events.js';
import { eventTrustOf, foreignReason } from '../../../services/events/run-events.js';
import {
  cloudTrailEvent,
  eventBridgeEnvelope,
} from '../../../services/sandbox/cloudtrail-events.js';
import { loadConfig } from '../../../shared/config/index.js';

/**
 * The events function as the stack configures it when IAM Identity Center lives in another
 * account (context identityCenterAccountId): its genuine-event check trusts the IdC account's
 * events, and refuses the stack's own account's, whose IdC (if any) is not the one idsync serves.
 */

const STACK = '111111111111';
const IDC = '222222222222';
const STORE = 'd-9067a1b2c3';

/** The events function's trust, from the environment the stack gives it. */
function trustOfDeployedFunction(context: Record<string, unknown>) {
  const env = jobEnvironment('events', {
    settings: settingsFrom({ identityStoreId: STORE, ...context }),
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/idsync-work',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:idsync-key',
  });
  return eventTrustOf(loadConfig(['identityStore', 'quicksight'], env));
}

/** A genuine IdentityStore DeleteUser as EventBridge delivers it from `account`. */
function deleteUserFrom(account: string) {
  const extracted = extractEvent(
    eventBridgeEnvelope(
      cloudTrailEvent({
        source: 'identitystore.amazonaws.com',
        eventName: 'DeleteUser',
        userId: '90676d7b2e-6b1a4c8e-3f0b-4a5c-9d4e-1a2b3c4d5e6f',
        identityStoreId: STORE,
        tenantId: 'tenant-1',
        accountId: account,
        region: 'us-east-1',
        time: new Date('2026-12-07T10:00:00Z'),
      }),
    ),
  );
  if (!extracted.ok) throw new Error(extracted.reason);
  return extracted.event;
}

describe('genuine events with IdC in another account than the stack', () => {
  const twoAccounts = {
    account: STACK,
    region: 'eu-west-1',
    identityCenterAccountId: IDC,
    identityCenterRegion: 'us-east-1',
    environment: { IDSYNC_ROLE_EXTERNAL_ID: 'idsync-agreed-id' },
  };

  it('accepts an event from the IdC account', () => {
    const trust = trustOfDeployedFunction(twoAccounts);
    expect(trust).toEqual({ accountId: IDC, identityStoreId: STORE });
    expect(foreignReason(deleteUserFrom(IDC), trust)).toBeUndefined();
  });

  it('refuses an event from the stack’s own account', () => {
    const trust = trustOfDeployedFunction(twoAccounts);
    expect(foreignReason(deleteUserFrom(STACK), trust)).toBe(
      `envelope account "${STACK}" is not the IdC account ${IDC}`,
    );
  });

  it('with IdC in the stack’s account, trusts that account only (the single-account layout)', () => {
    const trust = trustOfDeployedFunction({ account: STACK, region: 'eu-west-1' });
    expect(trust.accountId).toBe(STACK);
    expect(foreignReason(deleteUserFrom(STACK), trust)).toBeUndefined();
    expect(foreignReason(deleteUserFrom(IDC), trust)).toMatch(/is not the IdC account/);
  });
});
