import { describe, expect, it } from 'vitest';
import {
  cloudTrailEvent,
  cloudTrailTime,
  eventBridgeEnvelope,
  HIDDEN,
  IDENTITY_EVENT_SOURCES,
  type IdentityEventSource,
} from '../../../services/sandbox/cloudtrail-events.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';

const base = {
  userId: '4f1c2d3e-1111-4222-8333-444455556666',
  identityStoreId: 'd-1234567890',
  tenantId: 'abcdefghijk-1234-5678-9abc-def012345678',
  accountId: '111122223333',
  region: 'eu-west-1',
  time: new Date('2025-06-02T09:00:00.750Z'),
};
const make = (source: IdentityEventSource, eventName: string, seed = 1) =>
  cloudTrailEvent({ ...base, source, eventName, random: mulberry32(seed) });

describe('cloudTrailEvent', () => {
  it.each(IDENTITY_EVENT_SOURCES)('has every CloudTrail field for %s', (source) => {
    const record = make(source, 'DeleteUser');
    expect(record).toMatchObject({
      eventVersion: '1.08',
      eventTime: '2025-06-02T09:00:00Z',
      eventSource: source,
      eventName: 'DeleteUser',
      awsRegion: 'eu-west-1',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '111122223333',
      eventCategory: 'Management',
      responseElements: null,
    });
    expect(record.sourceIPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(record.userAgent.length).toBeGreaterThan(0);
    expect(record.eventID).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.requestID).not.toBe(record.eventID);
    expect(record.userIdentity.accountId).toBe('111122223333');
  });

  it('gives SCIM DeleteUser {tenantId, id} and the APIs {identityStoreId, userId}', () => {
    expect(make('identitystore-scim.amazonaws.com', 'DeleteUser').requestParameters).toEqual({
      tenantId: base.tenantId,
      id: base.userId,
    });
    for (const source of ['sso-directory.amazonaws.com', 'identitystore.amazonaws.com'] as const)
      expect(make(source, 'DeleteUser').requestParameters).toEqual({
        identityStoreId: base.identityStoreId,
        userId: base.userId,
      });
  });

  it('masks the user body of SCIM writes and keeps the user id', () => {
    for (const name of ['PutUser', 'PatchUser']) {
      const record = make('identitystore-scim.amazonaws.com', name);
      expect(record.requestParameters).toMatchObject({ tenantId: base.tenantId, id: base.userId });
      expect(record.requestParameters?.httpBody).toMatchObject({ userName: HIDDEN });
      expect(record.responseElements).toMatchObject({ id: base.userId, userName: HIDDEN });
    }
    const created = make('identitystore.amazonaws.com', 'CreateUser');
    expect(created.requestParameters).toMatchObject({ userName: HIDDEN, emails: HIDDEN });
    expect(created.responseElements).toEqual({
      identityStoreId: base.identityStoreId,
      userId: base.userId,
    });
  });

  it('is reproducible with a seeded generator', () => {
    const source = 'sso-directory.amazonaws.com';
    expect(make(source, 'DeleteUser', 4)).toEqual(make(source, 'DeleteUser', 4));
    expect(make(source, 'DeleteUser', 4).eventID).not.toBe(make(source, 'DeleteUser', 5).eventID);
  });
});

describe('eventBridgeEnvelope', () => {
  it.each([
    ['identitystore-scim.amazonaws.com', 'aws.identitystore-scim'],
    ['sso-directory.amazonaws.com', 'aws.sso-directory'],
    ['identitystore.amazonaws.com', 'aws.identitystore'],
  ] as const)('wraps a %s record with source %s', (source, envelopeSource) => {
    const record = make(source, 'DeleteUser');
    expect(eventBridgeEnvelope(record, { id: 'fixed-id' })).toEqual({
      version: '0',
      id: 'fixed-id',
      'detail-type': 'AWS API Call via CloudTrail',
      source: envelopeSource,
      account: base.accountId,
      time: '2025-06-02T09:00:00Z',
      region: base.region,
      resources: [],
      detail: record,
    });
  });

  it('formats times as CloudTrail does', () => {
    expect(cloudTrailTime(new Date('2024-12-31T23:59:59.999Z'))).toBe('2024-12-31T23:59:59Z');
  });
});
