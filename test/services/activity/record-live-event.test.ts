import { describe, expect, it } from 'vitest';
import { LiveRecorder } from '../../../services/activity/record-live-event.js';
import { userDirectory } from '../../../services/activity/resolve-users.js';
import {
  quickSightEnvelope,
  quickSightEvent,
} from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { recordingLiveStore } from '../../helpers/recording-live-store.js';

const ACCOUNT = '123456789012';
const envelope = (actor: Parameters<typeof quickSightEvent>[0]['actor'], extra = {}) =>
  quickSightEnvelope(
    quickSightEvent({
      accountId: ACCOUNT,
      region: 'us-east-1',
      time: new Date('2026-11-30T10:00:00Z'),
      eventName: 'GetDashboard',
      actor,
      ...extra,
    }),
  );

function recorder() {
  const { store, recorded, pending } = recordingLiveStore();
  const live = new LiveRecorder({
    store,
    directory: async () => userDirectory({ get: async () => undefined }, [], 'default'),
    attribution: { accountId: ACCOUNT, namespace: 'default', ignoredPrincipals: ['portal-role'] },
  });
  return { live, pending, recorded };
}

describe('LiveRecorder', () => {
  it('keeps an on-behalf-of event of an unknown IdC user pending instead of dropping it', async () => {
    const { live, pending, recorded } = recorder();
    const out = await live.record(
      envelope({ kind: 'identity-center', userId: 'u-new', identityStoreId: 'd-1' }),
    );
    expect(out).toEqual({ outcome: 'pending', users: 0 });
    expect(pending).toEqual([
      {
        idcUserId: 'u-new',
        newest: { at: '2026-11-30T10:00:00.000Z', eventName: 'GetDashboard', source: 'live' },
        events: 1,
      },
    ]);
    expect(recorded).toEqual([]);
  });

  it('records a dashboard an ignored application role embeds for a user', async () => {
    const { live, recorded } = recorder();
    const arn = `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/alice`;
    const out = await live.record(
      envelope(
        { kind: 'federated', roleName: 'portal-role', session: 'portal' },
        { eventName: 'GenerateEmbedUrlForRegisteredUser', embeddedFor: arn },
      ),
    );
    expect(out).toEqual({ outcome: 'written', users: 1 });
    expect(recorded[0]).toMatchObject({ userName: 'alice', newest: { source: 'live' } });
  });
});
