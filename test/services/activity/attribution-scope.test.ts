import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttributionContext, attributeEvent } from '../../../services/activity/attribution.js';
import { LiveRecorder } from '../../../services/activity/record-live-event.js';
import { deltasOf, userDirectory } from '../../../services/activity/resolve-users.js';
import {
  type QuickSightActor,
  quickSightEnvelope,
  quickSightEvent,
} from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { quickSightScopes } from '../../../shared/quicksight-scopes.js';
import { recordingLiveStore } from '../../helpers/recording-live-store.js';

/** Two accounts: the home one (namespace `default`) and B (`default` and `sales`). */
const HOME = '111111111111';
const B = '222222222222';
const UNMANAGED = '333333333333';
const ROLE_B = `arn:aws:iam::${B}:role/idsync`;
const scopes = (() => {
  const built = quickSightScopes({
    accountId: HOME,
    namespace: 'default',
    entries: [
      { accountId: HOME, namespaces: [] },
      { accountId: B, namespaces: ['default', 'sales'], roleArn: ROLE_B },
    ],
  });
  if (!built.ok) throw new Error(built.message);
  return built.value;
})();
const ctx = (accountId: string, over: Partial<AttributionContext> = {}): AttributionContext => ({
  accountId,
  namespace: 'default',
  scopes,
  ignoredPrincipals: [],
  ...over,
});
const event = (accountId: string, actor: QuickSightActor, over: Record<string, unknown> = {}) => ({
  ...(quickSightEvent({
    accountId,
    region: 'eu-west-1',
    time: new Date('2026-12-01T09:00:00Z'),
    eventName: 'GetDashboard',
    actor,
    random: mulberry32(7),
  }) as unknown as Record<string, unknown>),
  ...over,
});
const nativeUser = (account: string, namespace: string, name: string) => ({
  type: 'Unknown',
  arn: `arn:aws:quicksight:eu-west-1:${account}:user/${namespace}/${name}`,
});
const alice = { kind: 'federated', roleName: 'Reader', session: 'alice@example.com' } as const;

describe('attributeEvent across QuickSight accounts and namespaces', () => {
  it('records an event of account B, namespace sales, under B/sales and not the home key', () => {
    const record = event(B, alice, { userIdentity: nativeUser(B, 'sales', 'alice') });
    const out = attributeEvent(record, ctx(B));
    expect(out).toMatchObject({
      kind: 'user',
      user: { namespace: `${B}/sales`, userName: 'alice' },
    });
  });

  it('keeps the home account on the bare namespace key', () => {
    expect(attributeEvent(event(HOME, alice), ctx(HOME))).toMatchObject({
      kind: 'user',
      user: { namespace: 'default', userName: 'Reader/alice@example.com' },
    });
  });

  it('attributes nobody for an account idsync does not manage', () => {
    const record = event(UNMANAGED, alice, {
      userIdentity: nativeUser(UNMANAGED, 'default', 'alice'),
    });
    expect(attributeEvent(record, ctx(UNMANAGED))).toEqual({
      kind: 'ignored',
      reason: 'account idsync does not manage',
      eventId: record.eventID,
    });
  });

  it('attributes nobody for a namespace idsync does not manage in a managed account', () => {
    const record = event(B, alice, { userIdentity: nativeUser(B, 'marketing', 'alice') });
    expect(attributeEvent(record, ctx(B))).toMatchObject({
      kind: 'ignored',
      reason: 'namespace idsync does not manage',
    });
  });

  it('never takes a record of one account for another account read', () => {
    // Recorded in B but read as the home account's history: refused, not filed under `default`.
    expect(attributeEvent(event(B, alice), ctx(HOME))).toMatchObject({
      kind: 'ignored',
      reason: 'another account',
    });
    // A user ARN of another account in a record of B names nobody of B.
    const record = event(B, alice, { userIdentity: nativeUser(HOME, 'default', 'alice') });
    expect(attributeEvent(record, ctx(B))).toMatchObject({
      kind: 'ignored',
      reason: 'user of another account',
    });
  });

  it('places a session named without a namespace in the one namespace of B whose snapshot lists it', () => {
    const listedInSales = (name: string, key?: string) =>
      name === 'reader/alice@example.com' && key === `${B}/sales`;
    expect(
      attributeEvent(event(B, alice), ctx(B, { isKnownUserName: listedInSales })),
    ).toMatchObject({ kind: 'user', user: { namespace: `${B}/sales` } });
    // Listed in both namespaces of B: the evidence is both users' (never dropped as ambiguous).
    const both = attributeEvent(event(B, alice), ctx(B, { isKnownUserName: () => true }));
    expect(both).toMatchObject({
      kind: 'user',
      user: { namespace: `${B}/default` },
      also: [{ namespace: `${B}/sales`, userName: 'Reader/alice@example.com' }],
    });
    // Listed nowhere: the account's scope of the configured namespace.
    expect(attributeEvent(event(B, alice), ctx(B, { isKnownUserName: () => false }))).toMatchObject(
      { kind: 'user', user: { namespace: `${B}/default` } },
    );
  });

  it('records evidence of a name listed in two namespaces of the account for both users', async () => {
    const both = attributeEvent(event(B, alice), ctx(B, { isKnownUserName: () => true }));
    const found = await deltasOf([both], 'cloudtrail', { usersOfIdcUser: async () => [] });
    expect(found.deltas.map((d) => `${d.namespace}#${d.userName}`)).toEqual([
      `${B}/default#Reader/alice@example.com`,
      `${B}/sales#Reader/alice@example.com`,
    ]);
    expect(found.attributed).toBe(1);
  });

  it('embedding for a user of B counts for B/sales only when read from B', () => {
    const embed = (account: string) =>
      event(
        account,
        { kind: 'federated', roleName: 'app', session: 'portal' },
        {
          eventName: 'GenerateEmbedUrlForRegisteredUser',
          requestParameters: {
            userArn: `arn:aws:quicksight:eu-west-1:${B}:user/sales/bob`,
          },
        },
      );
    expect(attributeEvent(embed(B), ctx(B))).toMatchObject({
      kind: 'user',
      user: { namespace: `${B}/sales`, userName: 'bob' },
    });
    expect(attributeEvent(embed(HOME), ctx(HOME))).toMatchObject({
      kind: 'ignored',
      reason: 'embedding for a user of another account',
    });
  });

  it("resolves an on-behalf-of event only to the person's users of the record's account", async () => {
    const users: QuickSightUser[] = [
      {
        userName: 'carol@example.com',
        email: 'carol@example.com',
        role: 'READER',
        identityType: 'IAM_IDENTITY_CENTER',
        arn: `arn:aws:quicksight:eu-west-1:${HOME}:user/default/carol@example.com`,
      },
      {
        userName: 'carol@example.com',
        email: 'carol@example.com',
        role: 'READER',
        identityType: 'IAM_IDENTITY_CENTER',
        arn: `arn:aws:quicksight:eu-west-1:${B}:user/sales/carol@example.com`,
        scope: `${B}/sales`,
      },
    ];
    const directory = userDirectory(
      {
        get: async (id: string) =>
          id === 'u-carol'
            ? { userId: id, userName: 'carol', emails: ['carol@example.com'] }
            : undefined,
      } as never,
      users,
      'default',
    );
    const a = attributeEvent(
      event(B, { kind: 'identity-center', userId: 'u-carol', identityStoreId: 'd-1' }),
      ctx(B),
    );
    const found = await deltasOf([a], 'cloudtrail', directory);
    expect(found.deltas.map((d) => d.namespace)).toEqual([`${B}/sales`]);
  });
});

describe('attributeEvent: odd accounts and ARNs (bad input)', () => {
  const base = () => event(B, alice);
  const cases: [string, Record<string, unknown>, string][] = [
    ['recipient account not 12 digits', { recipientAccountId: '22222222222' }, 'another account'],
    ['recipient account as a number', { recipientAccountId: Number(B) }, 'user'],
    [
      'user ARN with an empty namespace',
      { userIdentity: { type: 'Unknown', arn: `arn:aws:quicksight:eu-west-1:${B}:user//bob` } },
      'caller names no QuickSight user (Unknown)',
    ],
    [
      'user ARN of another partition, same account',
      {
        userIdentity: {
          type: 'Unknown',
          arn: `arn:aws-cn:quicksight:cn-north-1:${B}:user/sales/bob`,
        },
      },
      'user',
    ],
    [
      'user ARN naming another account',
      {
        userIdentity: {
          type: 'Unknown',
          arn: `arn:aws:quicksight:eu-west-1:${UNMANAGED}:user/sales/bob`,
        },
      },
      'user of another account',
    ],
    [
      'user ARN with a truncated account',
      {
        userIdentity: { type: 'Unknown', arn: `arn:aws:quicksight:eu-west-1:2222:user/sales/bob` },
      },
      'caller names no QuickSight user (Unknown)',
    ],
    [
      'embedding for a user ARN of an unmanaged namespace',
      {
        eventName: 'GenerateEmbedUrlForRegisteredUser',
        requestParameters: { userArn: `arn:aws:quicksight:eu-west-1:${B}:user/marketing/bob` },
      },
      'namespace idsync does not manage',
    ],
    [
      'RegisterUser into an unmanaged namespace',
      {
        eventName: 'RegisterUser',
        requestParameters: { namespace: 'marketing', userName: 'bob' },
        responseElements: null,
      },
      'namespace idsync does not manage',
    ],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    const out = attributeEvent({ ...base(), ...over }, ctx(B));
    if (expected === 'user') expect(out.kind).toBe('user');
    else expect(out).toMatchObject({ kind: 'ignored', reason: expected });
  });

  it('never files an event under a scope of another account than the one read, whatever the ARNs', () => {
    const account = fc.constantFrom(HOME, B, UNMANAGED, '', '12', `${B}x`);
    const namespace = fc.constantFrom('default', 'sales', 'marketing', '', 'a/b', '../x');
    fc.assert(
      fc.property(
        account,
        account,
        namespace,
        fc.string({ maxLength: 12 }),
        fc.constantFrom(HOME, B, UNMANAGED),
        fc.boolean(),
        (inArn, recipient, ns, name, read, embed) => {
          const arn = `arn:aws:quicksight:eu-west-1:${inArn}:user/${ns}/${name}`;
          const record = {
            ...event(read, alice),
            recipientAccountId: recipient,
            ...(embed
              ? {
                  eventName: 'GenerateEmbedUrlForRegisteredUser',
                  requestParameters: { userArn: arn },
                }
              : { userIdentity: { type: 'Unknown', arn } }),
          };
          const out = attributeEvent(record, ctx(read));
          if (out.kind !== 'user') return;
          const keys = scopes.filter((s) => s.accountId === read).map((s) => s.key);
          expect(keys).toContain(out.user.namespace);
          // A record without a recipient account is of the history it was read from.
          expect(recipient === '' || recipient === read).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('LiveRecorder across accounts', () => {
  function recorder() {
    const { store, recorded } = recordingLiveStore();
    const live = new LiveRecorder({
      store,
      directory: async () => userDirectory({ get: async () => undefined }, [], 'default'),
      attribution: { accountId: HOME, namespace: 'default', scopes, ignoredPrincipals: [] },
    });
    return { live, recorded };
  }
  const envelope = (account: string) =>
    quickSightEnvelope(
      quickSightEvent({
        accountId: account,
        region: 'eu-west-1',
        time: new Date('2026-12-01T09:00:00Z'),
        eventName: 'GetDashboard',
        actor: { kind: 'native', userName: 'dave' },
      }) as never,
    ) as unknown as Record<string, unknown>;

  it('accepts an event of a managed account other than the home one, under its scope key', async () => {
    const { live, recorded } = recorder();
    const record = envelope(B);
    const detail = record.detail as Record<string, unknown>;
    detail.userIdentity = nativeUser(B, 'sales', 'dave');
    expect(await live.record(record)).toEqual({ outcome: 'written', users: 1 });
    expect(recorded.map((d) => `${d.namespace}#${d.userName}`)).toEqual([`${B}/sales#dave`]);
  });

  it('refuses an event of an account idsync does not manage', async () => {
    const { live, recorded } = recorder();
    expect(await live.record(envelope(UNMANAGED))).toEqual({
      outcome: 'ignored',
      reason: 'another account',
    });
    expect(recorded).toEqual([]);
  });
});
