import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dedupeEvents,
  type IdcEvent,
  MASKED_VALUE,
  parseEventInput,
} from '../../../services/events/parse-events.js';
import { IDC_EVENT_NAMES, IDC_EVENT_SOURCES } from '../../../shared/event-sources.js';

/** A CloudTrail record for `event`, shaped as each source writes it, raw or in an envelope. */
function recordOf(event: IdcEvent, envelope: boolean): object {
  const scim = event.eventSource === 'identitystore-scim.amazonaws.com';
  const idField = scim ? { tenantId: MASKED_VALUE, id: event.userId } : { userId: event.userId };
  const created = event.eventName === 'CreateUser';
  const record = {
    eventVersion: '1.10',
    userIdentity: { type: scim ? 'WebIdentityUser' : 'AssumedRole', accountId: '123456789012' },
    eventTime: event.eventTime,
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'test',
    requestParameters: created ? { userName: MASKED_VALUE } : idField,
    responseElements: created ? (scim ? { id: event.userId } : { userId: event.userId }) : null,
    requestID: 'req-1',
    eventID: event.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
  };
  if (!envelope) return record;
  return {
    version: '0',
    id: `env-${event.eventId}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sso-directory',
    detail: record,
  };
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const uuidArb = fc.uuid();
const eventArb: fc.Arbitrary<IdcEvent> = fc.record({
  eventId: uuidArb,
  eventName: fc.constantFrom(...IDC_EVENT_NAMES),
  eventSource: fc.constantFrom(...IDC_EVENT_SOURCES),
  eventTime: fc
    .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  userId: fc.oneof(
    uuidArb,
    fc.tuple(hex(10), uuidArb).map(([h, u]) => `${h}-${u}`),
  ),
  awsRegion: fc.constant('eu-west-1'),
  recipientAccountId: fc.constant('123456789012'),
});
const batchArb = fc.array(fc.tuple(eventArb, fc.boolean()), { minLength: 1, maxLength: 8 });

describe('parseEventInput', () => {
  it('never throws, and every rejection says why', () => {
    const inputs = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      batchArb.map((b) => JSON.stringify(b.map(([e, env]) => recordOf(e, env))).slice(0, 200)),
    );
    fc.assert(
      fc.property(inputs, (text) => {
        for (const result of parseEventInput(text)) {
          if (result.ok) expect(result.event.userId.length).toBeGreaterThan(0);
          else expect(result.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same events from an array, JSON lines and pretty-printed values', () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        const events = batch.map(([e]) => e);
        const records = batch.map(([e, env]) => recordOf(e, env));
        const expected = events.map((event) => ({ ok: true, event }));
        const jsonLines = records.map((r) => JSON.stringify(r)).join('\n\n');
        const pretty = records.map((r) => JSON.stringify(r, null, 2)).join('\n');
        for (const text of [JSON.stringify(records), jsonLines, pretty]) {
          expect(parseEventInput(text)).toMatchObject(expected);
        }
        expect(parseEventInput(jsonLines).map((r) => r.line)).toEqual(
          records.map((_, i) => 2 * i + 1),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('treats masked or non-string user ids as absent', () => {
    const base = {
      eventSource: 'identitystore.amazonaws.com',
      eventName: 'DeleteUser',
      eventID: 'e-1',
      eventTime: '2025-06-02T09:00:00Z',
    };
    for (const userId of [MASKED_VALUE, ` ${MASKED_VALUE} `, 42, null, '', { id: 'x' }]) {
      const [result] = parseEventInput(JSON.stringify({ ...base, requestParameters: { userId } }));
      expect(result).toMatchObject({
        ok: false,
        eventId: 'e-1',
        reason: expect.stringContaining('no user id'),
      });
    }
  });

  it('rejects a record without eventTime or eventID', () => {
    const base = {
      eventSource: 'identitystore.amazonaws.com',
      eventName: 'DeleteUser',
      requestParameters: { userId: 'a-1' },
    };
    expect(parseEventInput(JSON.stringify({ ...base, eventID: 'e-1' }))[0]).toMatchObject({
      ok: false,
      reason: expect.stringContaining('eventTime'),
    });
    expect(
      parseEventInput(JSON.stringify({ ...base, eventTime: '2025-06-02T09:00:00Z' }))[0],
    ).toMatchObject({ ok: false, reason: expect.stringContaining('eventID') });
  });
});

describe('dedupeEvents', () => {
  it('keeps the first event of each eventId, in order, and returns the rest as duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(eventArb, fc.nat({ max: 5 })), { maxLength: 30 }), (pairs) => {
        const events = pairs.map(([e, k]) => ({ ...e, eventId: `id-${k}` }));
        const { unique, duplicates } = dedupeEvents(events);
        expect(unique.map((e) => e.eventId)).toEqual([...new Set(events.map((e) => e.eventId))]);
        for (const e of unique) expect(events.find((x) => x.eventId === e.eventId)).toBe(e);
        expect(unique.length + duplicates.length).toBe(events.length);
      }),
    );
  });
});
