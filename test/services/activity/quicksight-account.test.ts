import { describe, expect, it } from 'vitest';
import { jobEnvironment } from '../../../infra/stacks/environment.js';
import { settingsFrom } from '../../../infra/stacks/settings.js';
import { LiveRecorder } from '../../../services/activity/record-live-event.js';
import { userDirectory } from '../../../services/activity/resolve-users.js';
import {
  quickSightEnvelope,
  quickSightEvent,
} from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { loadConfig } from '../../../shared/config/index.js';

/**
 * The activity function as the stack configures it when QuickSight lives in another account
 * than the stack (context quickSightAccountId): its live events are genuine only from that
 * account, never from the stack's own (whose QuickSight, if any, idsync does not serve).
 */

const STACK = '111111111111';
const QUICKSIGHT = '333333333333';

function deployedRecorder() {
  const env = jobEnvironment('activity', {
    settings: settingsFrom({
      account: STACK,
      region: 'eu-west-1',
      quickSightAccountId: QUICKSIGHT,
    }),
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/idsync-work',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:idsync-key',
  });
  const config = loadConfig(['quicksight', 'activity'], env);
  const written: string[] = [];
  const live = new LiveRecorder({
    store: {
      async recordMany(deltas) {
        written.push(...deltas.map((d) => d.userName));
        return deltas.map(() => 'written' as const);
      },
      async addPending() {},
    },
    directory: async () => userDirectory({ get: async () => undefined }, [], 'default'),
    // As services/activity/handler.ts builds it from the configuration.
    attribution: {
      accountId: config.quicksight.accountId,
      namespace: config.quicksight.namespace,
      ignoredPrincipals: config.activity.ignoredPrincipals,
    },
  });
  return { live, written };
}

const viewFrom = (account: string) =>
  quickSightEnvelope(
    quickSightEvent({
      accountId: account,
      region: 'eu-west-1',
      time: new Date('2026-12-07T10:00:00Z'),
      eventName: 'GetDashboard',
      actor: { kind: 'iam-user', userName: 'alice' },
    }),
  );

describe('QuickSight activity with QuickSight in another account than the stack', () => {
  it('records a view from the QuickSight account', async () => {
    const { live, written } = deployedRecorder();
    expect(await live.record(viewFrom(QUICKSIGHT))).toEqual({ outcome: 'written', users: 1 });
    expect(written).toEqual(['alice']);
  });

  it('ignores a view from the stack’s own account', async () => {
    const { live, written } = deployedRecorder();
    expect(await live.record(viewFrom(STACK))).toEqual({
      outcome: 'ignored',
      reason: 'another account',
    });
    expect(written).toEqual([]);
  });
});
