import {
  type CloudTrailRecord,
  cloudTrailTime,
  type EventBridgeEnvelope,
  eventBridgeEnvelope,
} from '../cloudtrail-events.js';
import { type Random, randomInt, randomUuid } from '../scenarios/random.js';

/**
 * CloudTrail records of QuickSight calls, shaped as CloudTrail writes them (eventSource
 * `quicksight.amazonaws.com`), for the sandbox's LookupEvents stand-in and for live EventBridge
 * envelopes. Who made the call is one of:
 * - `federated`: an IAM role session (`arn:aws:sts::<acct>:assumed-role/<Role>/<session>`,
 *   e.g. `AWSReservedSSO_QuickSightReader_…/alice@example.com`); `pathInArn` writes the role
 *   path `aws-reserved/sso.amazonaws.com/` into the assumed-role ARN too (seen in some tools'
 *   output; the session issuer's role ARN always carries it);
 * - `identity-center`: an IAM Identity Center user (`userIdentity.onBehalfOf.userId`);
 * - `native`: a QuickSight-native user (`type: Unknown`, `userName`), which has no IAM principal;
 * - `iam-user`: an IAM user (`arn:aws:iam::<acct>:user/<name>`).
 * Embedding calls (`GenerateEmbedUrlForRegisteredUser`, `GetDashboardEmbedUrl`) are made by an
 * application's role and name the user they embed for in `requestParameters.userArn`
 * (`embeddedFor`); `GenerateEmbedUrlForAnonymousUser` names no user. Their responses (the URL)
 * are not logged.
 */

export type QuickSightActor =
  | {
      readonly kind: 'federated';
      readonly roleName: string;
      readonly session: string;
      readonly pathInArn?: boolean;
      /** The role's path; default `/aws-reserved/sso.amazonaws.com/` for `AWSReservedSSO_*`, else `/`. */
      readonly rolePath?: string;
    }
  | { readonly kind: 'identity-center'; readonly userId: string; readonly identityStoreId: string }
  | { readonly kind: 'native'; readonly userName: string }
  | { readonly kind: 'iam-user'; readonly userName: string };

/** What a RegisterUser call registered. */
export interface RegisteredUser {
  readonly namespace: string;
  readonly userName: string;
  readonly email: string;
  readonly identityType: 'IAM' | 'QUICKSIGHT' | 'IAM_IDENTITY_CENTER';
  readonly role: string;
  /** IAM users registered through a role session: the role's ARN and the session name. */
  readonly iamArn?: string;
  readonly sessionName?: string;
}

export interface QuickSightEventInput {
  readonly accountId: string;
  readonly region: string;
  readonly time: Date;
  /** `GetDashboard`, `ListDashboards`, `DescribeDashboard`, `RegisterUser`, `CreateUser`, … */
  readonly eventName: string;
  readonly actor: QuickSightActor;
  /** For `RegisterUser`: the user registered. */
  readonly registered?: RegisteredUser;
  /**
   * For `GenerateEmbedUrlForRegisteredUser` / `GetDashboardEmbedUrl`: the QuickSight user ARN the
   * dashboard is embedded for (`requestParameters.userArn`, the API's `UserArn`).
   */
  readonly embeddedFor?: string;
  /** A failed call (`errorCode`, e.g. `AccessDeniedException`). */
  readonly errorCode?: string;
  readonly random?: Random;
}

/** QuickSight calls a Reader makes while using dashboards (read-only). */
export const READ_EVENT_NAMES = ['GetDashboard', 'ListDashboards', 'DescribeDashboard'] as const;

const READ_ONLY = /^(Get|List|Describe|Search)/;

function roleArn(accountId: string, roleName: string, path: string): string {
  return `arn:aws:iam::${accountId}:role${path}${roleName}`;
}

function pathOf(actor: Extract<QuickSightActor, { kind: 'federated' }>): string {
  return (
    actor.rolePath ??
    (actor.roleName.startsWith('AWSReservedSSO_') ? '/aws-reserved/sso.amazonaws.com/' : '/')
  );
}

function identityOf(input: QuickSightEventInput, random: Random): Record<string, unknown> {
  const { actor, accountId } = input;
  const key = `ASIA${randomUuid(random).replace(/-/g, '').slice(0, 16).toUpperCase()}`;
  switch (actor.kind) {
    case 'federated': {
      const path = pathOf(actor);
      const arnRole = actor.pathInArn ? `${path.slice(1)}${actor.roleName}` : actor.roleName;
      return {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEROLEID:${actor.session}`,
        arn: `arn:aws:sts::${accountId}:assumed-role/${arnRole}/${actor.session}`,
        accountId,
        accessKeyId: key,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEROLEID',
            arn: roleArn(accountId, actor.roleName, path),
            accountId,
            userName: actor.roleName,
          },
          attributes: { creationDate: cloudTrailTime(input.time), mfaAuthenticated: 'false' },
        },
      };
    }
    case 'identity-center':
      return {
        type: 'IdentityCenterUser',
        accountId,
        onBehalfOf: {
          userId: actor.userId,
          identityStoreArn: `arn:aws:identitystore::${accountId}:identitystore/${actor.identityStoreId}`,
        },
        credentialId: randomUuid(random),
      };
    case 'native':
      return {
        type: 'Unknown',
        principalId: `${accountId}:${actor.userName}`,
        accountId,
        userName: actor.userName,
      };
    case 'iam-user':
      return {
        type: 'IAMUser',
        principalId: `AIDA${randomUuid(random).replace(/-/g, '').slice(0, 17).toUpperCase()}`,
        arn: `arn:aws:iam::${accountId}:user/${actor.userName}`,
        accountId,
        accessKeyId: key,
        userName: actor.userName,
      };
  }
}

function requestOf(input: QuickSightEventInput): Record<string, unknown> | null {
  const r = input.registered;
  if (input.eventName === 'RegisterUser' && r) {
    return {
      awsAccountId: input.accountId,
      namespace: r.namespace,
      identityType: r.identityType,
      email: r.email,
      userRole: r.role,
      ...(r.iamArn ? { iamArn: r.iamArn, sessionName: r.sessionName } : { userName: r.userName }),
    };
  }
  if (input.eventName === 'GenerateEmbedUrlForRegisteredUser' && input.embeddedFor)
    return {
      awsAccountId: input.accountId,
      userArn: input.embeddedFor,
      sessionLifetimeInMinutes: 600,
      experienceConfiguration: {
        dashboard: { initialDashboardId: `dash-${randomInt(input.random ?? Math.random, 40)}` },
      },
    };
  if (input.eventName === 'GetDashboardEmbedUrl' && input.embeddedFor)
    return {
      awsAccountId: input.accountId,
      dashboardId: `dash-${randomInt(input.random ?? Math.random, 40)}`,
      identityType: 'QUICKSIGHT',
      userArn: input.embeddedFor,
    };
  if (input.eventName === 'GenerateEmbedUrlForAnonymousUser')
    return {
      awsAccountId: input.accountId,
      namespace: 'default',
      authorizedResourceArns: [
        `arn:aws:quicksight:${input.region}:${input.accountId}:dashboard/dash-${randomInt(input.random ?? Math.random, 40)}`,
      ],
      experienceConfiguration: { dashboard: { initialDashboardId: 'dash-public' } },
    };
  if (input.eventName.endsWith('Dashboard'))
    return {
      awsAccountId: input.accountId,
      dashboardId: `dash-${randomInt(input.random ?? Math.random, 40)}`,
    };
  return { awsAccountId: input.accountId };
}

function responseOf(input: QuickSightEventInput): Record<string, unknown> | null {
  const r = input.registered;
  if (input.eventName !== 'RegisterUser' || !r || input.errorCode) return null;
  return {
    status: 201,
    user: {
      arn: `arn:aws:quicksight:${input.region}:${input.accountId}:user/${r.namespace}/${r.userName}`,
      userName: r.userName,
      email: r.email,
      role: r.role,
      identityType: r.identityType,
      active: false,
    },
  };
}

/** One CloudTrail record of a QuickSight call. */
export function quickSightEvent(input: QuickSightEventInput): CloudTrailRecord {
  const random = input.random ?? Math.random;
  return {
    eventVersion: '1.08',
    userIdentity: identityOf(input, random),
    eventTime: cloudTrailTime(input.time),
    eventSource: 'quicksight.amazonaws.com',
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: `198.51.100.${randomInt(random, 254) + 1}`,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0',
    ...(input.errorCode ? { errorCode: input.errorCode, errorMessage: 'denied' } : {}),
    requestParameters: requestOf(input),
    responseElements: responseOf(input),
    requestID: randomUuid(random),
    eventID: randomUuid(random),
    readOnly: READ_ONLY.test(input.eventName),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.accountId,
    eventCategory: 'Management',
  };
}

/**
 * A QuickSight record as the events function receives it from an EventBridge rule on
 * `aws.quicksight` (detail-type "AWS API Call via CloudTrail"; read-only calls arrive only when
 * the rule's event bus has `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`).
 */
export function quickSightEnvelope(
  record: CloudTrailRecord,
  options: { readonly id?: string; readonly random?: Random } = {},
): EventBridgeEnvelope {
  // eventSource quicksight.amazonaws.com → source aws.quicksight, as for every AWS service.
  return eventBridgeEnvelope(record, options);
}
