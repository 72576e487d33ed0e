import { describe, expect, it } from 'vitest';
import {
  type AttributionContext,
  assumedRoleUserName,
  attributeEvent,
  quickSightUserArn,
} from '../../../services/activity/attribution.js';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';

const ACCOUNT = '123456789012';
const ROLE = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
const ctx: AttributionContext = {
  accountId: ACCOUNT,
  namespace: 'default',
  ignoredPrincipals: ['idsync-sync-role', `arn:aws:iam::${ACCOUNT}:role/service/IdsyncWorker`],
  isKnownUserName: (n) => ['automation/nightly', 'svc-reporter', 'readonly/ops'].includes(n),
};
const time = new Date('2026-09-14T08:30:00Z');
const ev = (over: Partial<Parameters<typeof quickSightEvent>[0]>) =>
  quickSightEvent({
    accountId: ACCOUNT,
    region: 'us-east-1',
    time,
    eventName: 'GetDashboard',
    actor: { kind: 'federated', roleName: ROLE, session: 'alice@example.com' },
    random: mulberry32(1),
    ...over,
  }) as unknown as Record<string, unknown>;

const user = (userName: string, evidence = 'activity', eventName = 'GetDashboard') => ({
  kind: 'user',
  evidence,
  user: { namespace: 'default', userName },
  eventName,
  at: '2026-09-14T08:30:00.000Z',
});

describe('attributeEvent: every identity shape', () => {
  it.each([
    [
      'assumed role (IAM Identity Center permission set)',
      ev({}),
      user(`${ROLE}/alice@example.com`),
    ],
    [
      'assumed role with the role path in the ARN',
      ev({
        actor: { kind: 'federated', roleName: ROLE, session: 'Bob@Example.com', pathInArn: true },
      }),
      user(`${ROLE}/Bob@Example.com`),
    ],
    [
      'assumed role with a custom path',
      ev({
        actor: {
          kind: 'federated',
          roleName: 'QuickSightReaders',
          session: 'carol@example.com',
          rolePath: '/teams/bi/',
          pathInArn: true,
        },
      }),
      user('QuickSightReaders/carol@example.com'),
    ],
    [
      'a non-email session QuickSight knows',
      ev({ actor: { kind: 'federated', roleName: 'automation', session: 'nightly' } }),
      user('automation/nightly'),
    ],
    [
      'an IAM Identity Center user (onBehalfOf)',
      ev({ actor: { kind: 'identity-center', userId: 'u-1234', identityStoreId: 'd-1' } }),
      {
        kind: 'on-behalf-of',
        evidence: 'activity',
        idcUserId: 'u-1234',
        eventName: 'GetDashboard',
      },
    ],
    ['a QuickSight-native user', ev({ actor: { kind: 'native', userName: 'dave' } }), user('dave')],
    [
      'an IAM user QuickSight knows',
      ev({ actor: { kind: 'iam-user', userName: 'svc-reporter' } }),
      user('svc-reporter'),
    ],
    [
      'RegisterUser of a federated user (creation evidence for the registered user)',
      ev({
        eventName: 'RegisterUser',
        actor: {
          kind: 'federated',
          roleName: 'AWSReservedSSO_Admin_1',
          session: 'admin@example.com',
        },
        registered: {
          namespace: 'default',
          userName: `${ROLE}/erin@example.com`,
          email: 'erin@example.com',
          identityType: 'IAM',
          role: 'READER',
          iamArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${ROLE}`,
          sessionName: 'erin@example.com',
        },
      }),
      user(`${ROLE}/erin@example.com`, 'creation', 'RegisterUser'),
    ],
    [
      'CreateUser on first sign-in (creation evidence for the caller)',
      ev({ eventName: 'CreateUser' }),
      user(`${ROLE}/alice@example.com`, 'creation', 'CreateUser'),
    ],
    [
      'CreateUser through IAM Identity Center',
      ev({
        eventName: 'CreateUser',
        actor: { kind: 'identity-center', userId: 'u-9', identityStoreId: 'd-1' },
      }),
      { kind: 'on-behalf-of', evidence: 'creation', idcUserId: 'u-9', eventName: 'CreateUser' },
    ],
  ])('%s', (_name, record, expected) => {
    expect(attributeEvent(record, ctx)).toMatchObject(expected);
  });

  it.each([
    [
      'idsync role by name',
      ev({ actor: { kind: 'federated', roleName: 'idsync-sync-role', session: 'x@example.com' } }),
      'ignored principal',
    ],
    [
      'idsync role by ARN with a path',
      ev({
        actor: {
          kind: 'federated',
          roleName: 'IdsyncWorker',
          session: 'w@example.com',
          rolePath: '/service/',
        },
      }),
      'ignored principal',
    ],
    [
      'a session naming nobody',
      ev({ actor: { kind: 'federated', roleName: 'ci', session: 'botocore-session-1' } }),
      'session names nobody',
    ],
    ['identity administration', ev({ eventName: 'ListUsers' }), 'identity administration'],
    ['a failed call', ev({ errorCode: 'AccessDeniedException' }), 'failed call'],
    [
      'an IAM user QuickSight does not know',
      ev({ actor: { kind: 'iam-user', userName: 'deployer' } }),
      'IAM user is no QuickSight user',
    ],
    ['another account', { ...ev({}), recipientAccountId: '999999999999' }, 'another account'],
    ['another service', { ...ev({}), eventSource: 'sso.amazonaws.com' }, 'not a QuickSight event'],
    [
      'root',
      { ...ev({}), userIdentity: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root` } },
      'caller names no QuickSight user (Root)',
    ],
    ['no event time', { ...ev({}), eventTime: 'yesterday' }, 'malformed record'],
    [
      'an on-behalf-of id that is no IdC user id (it could never be kept or resolved)',
      ev({
        actor: { kind: 'identity-center', userId: '#cursor#cloudtrail', identityStoreId: 'd-1' },
      }),
      'on-behalf-of id is no IdC user id',
    ],
    ['no identity', { ...ev({}), userIdentity: null }, 'no userIdentity'],
  ])('ignores %s', (_name, record, reason) => {
    expect(attributeEvent(record as Record<string, unknown>, ctx)).toMatchObject({
      kind: 'ignored',
      reason,
    });
  });

  it('without a known snapshot, only email sessions name someone', () => {
    const bare = { ...ctx, isKnownUserName: undefined };
    expect(
      attributeEvent(
        ev({ actor: { kind: 'federated', roleName: 'automation', session: 'nightly' } }),
        bare,
      ).kind,
    ).toBe('ignored');
    expect(attributeEvent(ev({}), bare).kind).toBe('user');
  });
});

describe('ARN helpers', () => {
  it('reads <Role>/<session> and drops any role path', () => {
    expect(assumedRoleUserName(`arn:aws:sts::${ACCOUNT}:assumed-role/R/s@x.com`)).toEqual({
      role: 'R',
      session: 's@x.com',
    });
    expect(
      assumedRoleUserName(
        `arn:aws:sts::${ACCOUNT}:assumed-role/aws-reserved/sso.amazonaws.com/R/s`,
      ),
    ).toEqual({ role: 'R', session: 's' });
    expect(assumedRoleUserName(`arn:aws:iam::${ACCOUNT}:role/R`)).toBeUndefined();
    expect(assumedRoleUserName(`arn:aws:sts::${ACCOUNT}:assumed-role/OnlyRole`)).toBeUndefined();
  });

  it('reads QuickSight user ARNs', () => {
    expect(
      quickSightUserArn(`arn:aws:quicksight:us-east-1:${ACCOUNT}:user/team-a/R/x@y.com`),
    ).toEqual({
      namespace: 'team-a',
      userName: 'R/x@y.com',
    });
    expect(quickSightUserArn('arn:aws:quicksight:us-east-1:1:group/default/g')).toBeUndefined();
  });

  it('attributes a QuickSight user ARN in userIdentity to that namespace, when managed', () => {
    const record = {
      ...ev({}),
      userIdentity: {
        type: 'Unknown',
        arn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/team-a/frank`,
      },
    };
    const scopes = ['default', 'team-a'].map((n) => ({ accountId: ACCOUNT, namespace: n, key: n }));
    expect(attributeEvent(record, { ...ctx, scopes })).toMatchObject({
      kind: 'user',
      user: { namespace: 'team-a', userName: 'frank' },
    });
    // Only `default` managed: a user of another namespace is nobody idsync keeps a record of.
    expect(attributeEvent(record, ctx)).toMatchObject({
      kind: 'ignored',
      reason: 'namespace idsync does not manage',
    });
  });
});

describe('attributeEvent: evidence about someone other than the caller', () => {
  const portal = { kind: 'federated', roleName: 'idsync-sync-role', session: 'portal-1' } as const;
  const readerArn = `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/${ROLE}/dana@example.com`;
  const registered = {
    namespace: 'default',
    userName: `${ROLE}/dana@example.com`,
    email: 'dana@example.com',
    identityType: 'IAM',
    role: 'READER',
  } as const;

  it('RegisterUser by an ignored principal is creation evidence of the registered user', () => {
    expect(
      attributeEvent(ev({ eventName: 'RegisterUser', actor: portal, registered }), ctx),
    ).toMatchObject(user(`${ROLE}/dana@example.com`, 'creation', 'RegisterUser'));
  });

  it('CreateUser by an ignored role session naming a person is creation evidence', () => {
    const actor = { kind: 'federated', roleName: 'idsync-sync-role', session: 'eve@example.com' };
    expect(attributeEvent(ev({ eventName: 'CreateUser', actor } as never), ctx)).toMatchObject(
      user('idsync-sync-role/eve@example.com', 'creation', 'CreateUser'),
    );
    // Its ordinary use is still nobody's activity.
    expect(attributeEvent(ev({ actor } as never), ctx)).toMatchObject({
      kind: 'ignored',
      reason: 'ignored principal',
    });
  });

  it.each([['GenerateEmbedUrlForRegisteredUser'], ['GetDashboardEmbedUrl']])(
    '%s with userArn is activity of the named user, even from an ignored principal',
    (name) => {
      const record = ev({ eventName: name, actor: portal, embeddedFor: readerArn });
      expect((record.requestParameters as Record<string, unknown>).userArn).toBe(readerArn);
      expect(attributeEvent(record, ctx)).toMatchObject(
        user(`${ROLE}/dana@example.com`, 'activity', name),
      );
      // And from a session that names nobody (an application's own role, not ignored).
      const app = { kind: 'federated', roleName: 'app', session: 'botocore-session-9' } as const;
      expect(
        attributeEvent(ev({ eventName: name, actor: app, embeddedFor: readerArn }), ctx),
      ).toMatchObject(user(`${ROLE}/dana@example.com`, 'activity', name));
    },
  );

  it.each([
    [
      'anonymous embedding',
      ev({ eventName: 'GenerateEmbedUrlForAnonymousUser', actor: portal }),
      'anonymous embedding',
    ],
    [
      'embedding for a user of another account',
      ev({
        eventName: 'GenerateEmbedUrlForRegisteredUser',
        actor: portal,
        embeddedFor: 'arn:aws:quicksight:us-east-1:999999999999:user/default/x@example.com',
      }),
      'embedding for a user of another account',
    ],
    [
      'a failed embedding',
      ev({
        eventName: 'GenerateEmbedUrlForRegisteredUser',
        actor: portal,
        embeddedFor: readerArn,
        errorCode: 'AccessDeniedException',
      }),
      'failed call',
    ],
    [
      'embedding without a userArn, by an ignored principal',
      ev({ eventName: 'GetDashboardEmbedUrl', actor: portal }),
      'ignored principal',
    ],
  ])('ignores %s', (_name, record, reason) => {
    expect(attributeEvent(record, ctx)).toMatchObject({ kind: 'ignored', reason });
  });
});
