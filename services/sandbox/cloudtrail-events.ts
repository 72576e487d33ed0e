/**
 * CloudTrail records of IdC user changes, and the EventBridge envelopes they arrive in, shaped as
 * AWS writes them for the three sources idsync listens to. Sandbox and test fixtures build their
 * events here. Personal fields are masked the way CloudTrail masks them.
 */
import { eventBridgeSourceOf } from '../../shared/event-sources.js';
import { type Random, randomInt, randomUuid } from './scenarios/random.js';

export type IdentityEventSource =
  | 'identitystore-scim.amazonaws.com'
  | 'sso-directory.amazonaws.com'
  | 'identitystore.amazonaws.com';

export const IDENTITY_EVENT_SOURCES: readonly IdentityEventSource[] = [
  'identitystore-scim.amazonaws.com',
  'sso-directory.amazonaws.com',
  'identitystore.amazonaws.com',
];

/** What CloudTrail writes in place of a personal field. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly userIdentity: Readonly<Record<string, unknown>>;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
}

export interface EventBridgeEnvelope<Detail = CloudTrailRecord> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'AWS API Call via CloudTrail';
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Detail;
}

export interface CloudTrailEventInput {
  readonly source: IdentityEventSource;
  /** `DeleteUser`, `CreateUser`; SCIM also `PutUser` / `PatchUser`, the APIs `UpdateUser`. */
  readonly eventName: string;
  /** The IdC user id the call acted on. */
  readonly userId: string;
  readonly identityStoreId: string;
  /** SCIM tenant id (only `identitystore-scim` records carry it). */
  readonly tenantId: string;
  readonly accountId: string;
  readonly region: string;
  readonly time: Date;
  /** Role session of the admin behind console / API calls (`sso-directory`, `identitystore`). */
  readonly adminSession?: string;
  /** Draws the request and event ids; default Math.random. */
  readonly random?: Random;
}

const WRITES_BODY = new Set(['CreateUser', 'PutUser', 'PatchUser', 'UpdateUser']);

/** One CloudTrail record of an IdC user call, as `source` logs it. */
export function cloudTrailEvent(input: CloudTrailEventInput): CloudTrailRecord {
  const random = input.random ?? Math.random;
  const scim = input.source === 'identitystore-scim.amazonaws.com';
  return {
    eventVersion: '1.08',
    userIdentity: scim
      ? { type: 'WebIdentityUser', accountId: input.accountId }
      : adminIdentity(input, random),
    eventTime: cloudTrailTime(input.time),
    eventSource: input.source,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: scim
      ? `203.0.113.${randomInt(random, 254) + 1}`
      : `198.51.100.${randomInt(random, 254) + 1}`,
    userAgent: userAgentOf(input.source),
    requestParameters: scim ? scimRequest(input) : apiRequest(input),
    responseElements: responseOf(input, scim),
    requestID: randomUuid(random),
    eventID: randomUuid(random),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.accountId,
    eventCategory: 'Management',
  };
}

/** The record as an EventBridge rule receives it. */
export function eventBridgeEnvelope(
  record: CloudTrailRecord,
  options: { readonly id?: string; readonly random?: Random } = {},
): EventBridgeEnvelope {
  return {
    version: '0',
    id: options.id ?? randomUuid(options.random ?? Math.random),
    'detail-type': 'AWS API Call via CloudTrail',
    source: envelopeSourceOf(record.eventSource),
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** EventBridge `source` of a CloudTrail event source (shared/event-sources.ts). */
export const envelopeSourceOf = eventBridgeSourceOf;

/** CloudTrail's time format: ISO 8601 in UTC, whole seconds. */
export function cloudTrailTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

function adminIdentity(input: CloudTrailEventInput, random: Random): Record<string, unknown> {
  const session = input.adminSession ?? 'idc-admin';
  const role = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEADMINROLE:${session}`,
    arn: `arn:aws:sts::${input.accountId}:assumed-role/${role}/${session}`,
    accountId: input.accountId,
    accessKeyId: `ASIA${randomUuid(random).replace(/-/g, '').slice(0, 16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEADMINROLE',
        arn: `arn:aws:iam::${input.accountId}:role/aws-reserved/sso.amazonaws.com/${role}`,
        accountId: input.accountId,
        userName: role,
      },
      attributes: { creationDate: cloudTrailTime(input.time), mfaAuthenticated: 'false' },
    },
  };
}

function userAgentOf(source: IdentityEventSource): string {
  switch (source) {
    case 'identitystore-scim.amazonaws.com':
      return 'Go-http-client/2.0';
    case 'sso-directory.amazonaws.com':
      return 'AWS Internal';
    case 'identitystore.amazonaws.com':
      return 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8';
  }
}

/** The SCIM user resource with every personal field masked. */
function maskedScimUser(): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: HIDDEN,
    name: { familyName: HIDDEN, givenName: HIDDEN },
    displayName: HIDDEN,
    emails: [{ value: HIDDEN, type: HIDDEN, primary: true }],
    active: true,
  };
}

function scimRequest(input: CloudTrailEventInput): Record<string, unknown> {
  const base = { tenantId: input.tenantId };
  if (input.eventName === 'CreateUser') return { ...base, httpBody: maskedScimUser() };
  if (WRITES_BODY.has(input.eventName))
    return { ...base, id: input.userId, httpBody: maskedScimUser() };
  return { ...base, id: input.userId };
}

function apiRequest(input: CloudTrailEventInput): Record<string, unknown> {
  const base = { identityStoreId: input.identityStoreId };
  if (input.eventName === 'CreateUser')
    return { ...base, userName: HIDDEN, name: HIDDEN, displayName: HIDDEN, emails: HIDDEN };
  if (input.eventName === 'UpdateUser')
    return { ...base, userId: input.userId, operations: HIDDEN };
  return { ...base, userId: input.userId };
}

function responseOf(input: CloudTrailEventInput, scim: boolean): Record<string, unknown> | null {
  if (!WRITES_BODY.has(input.eventName)) return null;
  if (!scim) return { identityStoreId: input.identityStoreId, userId: input.userId };
  const when = cloudTrailTime(input.time);
  return {
    ...maskedScimUser(),
    id: input.userId,
    meta: { resourceType: 'User', created: when, lastModified: when },
  };
}
