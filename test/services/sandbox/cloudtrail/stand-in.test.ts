import {
  CloudTrailClient,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  ThrottlingException,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailState } from '../../../../services/sandbox/cloudtrail/cloudtrail-state.js';
import { quickSightEvent } from '../../../../services/sandbox/cloudtrail/quicksight-events.js';
import { startCloudTrailStandIn } from '../../../../services/sandbox/cloudtrail/stand-in.js';
import { accessKeyOf } from '../../../../services/sandbox/http/signed-by.js';
import type { StandIn } from '../../../../services/sandbox/http/stand-in.js';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';
import { TEST_CREDENTIALS } from '../../../helpers/dynamo.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const random = mulberry32(3);
const event = (secondsAgo: number, session = 'alice@example.com', source?: string) => {
  const r = quickSightEvent({
    accountId: '123456789012',
    region: 'us-east-1',
    time: new Date(NOW - secondsAgo * 1000),
    eventName: 'GetDashboard',
    actor: { kind: 'federated', roleName: 'AWSReservedSSO_QuickSightReader_1', session },
    random,
  });
  return source ? { ...r, eventSource: source } : r;
};

let standIn: StandIn;
let client: CloudTrailClient;
const state = new CloudTrailState();
// 120 QuickSight events, one a minute, 3 pairs sharing a second; 10 of another service;
// one 91 days old (beyond the history LookupEvents keeps).
state.add(Array.from({ length: 120 }, (_, i) => event(60 * (i + 1))));
state.add([event(60 * 5), event(60 * 6), event(60 * 7)]);
state.add(
  Array.from({ length: 10 }, (_, i) => event(30 + 60 * i, 'x@example.com', 'sso.amazonaws.com')),
);
state.add([event(91 * 86_400)]);

beforeAll(async () => {
  standIn = await startCloudTrailStandIn(state, {
    now: () => NOW,
    faults: { bucket: { rate: 1_000, burst: 1_000 } },
  });
  client = new CloudTrailClient({
    region: 'us-east-1',
    endpoint: standIn.endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    // The stand-in's clock is NOW; requests are signed on it (SigV4 allows 15 minutes off).
    systemClockOffset: NOW - Date.now(),
  });
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});

const QS = [{ AttributeKey: 'EventSource' as const, AttributeValue: 'quicksight.amazonaws.com' }];
const lookup = (input: LookupEventsCommandInput) => client.send(new LookupEventsCommand(input));

describe('CloudTrail LookupEvents stand-in (real @aws-sdk/client-cloudtrail)', () => {
  it('pages 50 at a time, newest first, with NextToken, filtered by event source, 90 days', async () => {
    const seen: string[] = [];
    const times: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await lookup({ LookupAttributes: QS, NextToken: token });
      pages++;
      expect(out.Events?.length).toBeLessThanOrEqual(50);
      for (const e of out.Events ?? []) {
        seen.push(e.EventId ?? '');
        times.push(e.EventTime?.getTime() ?? 0);
        expect(e.EventSource).toBe('quicksight.amazonaws.com');
        expect(JSON.parse(e.CloudTrailEvent ?? '{}').eventID).toBe(e.EventId);
      }
      token = out.NextToken;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(123);
    expect(new Set(seen).size).toBe(123);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('honours StartTime and EndTime (inclusive) and MaxResults', async () => {
    const out = await lookup({
      LookupAttributes: QS,
      StartTime: new Date(NOW - 600_000),
      EndTime: new Date(NOW - 300_000),
      MaxResults: 5,
    });
    expect(out.Events).toHaveLength(5);
    expect(out.Events?.[0]?.EventTime?.getTime()).toBe(NOW - 300_000);
    expect(out.NextToken).toBeDefined();
    const rest = await lookup({
      LookupAttributes: QS,
      StartTime: new Date(NOW - 600_000),
      EndTime: new Date(NOW - 300_000),
      MaxResults: 5,
      NextToken: out.NextToken,
    });
    // 6 minutes (5..10) inclusive, plus the second events at 5, 6 and 7 minutes: 9 in all.
    expect((out.Events?.length ?? 0) + (rest.Events?.length ?? 0)).toBe(9);
    expect(rest.NextToken).toBeUndefined();
  });

  it.each([
    [{ MaxResults: 51 }, InvalidMaxResultsException],
    [{ MaxResults: 0 }, InvalidMaxResultsException],
    [
      { LookupAttributes: [...QS, { AttributeKey: 'EventName' as const, AttributeValue: 'x' }] },
      InvalidLookupAttributesException,
    ],
    [
      { LookupAttributes: [{ AttributeKey: 'EventSource' as const, AttributeValue: '' }] },
      InvalidLookupAttributesException,
    ],
    [{ StartTime: new Date(NOW), EndTime: new Date(NOW - 1000) }, InvalidTimeRangeException],
    [{ NextToken: 'garbage' }, InvalidNextTokenException],
  ])('rejects bad input %j with its documented error', async (input, type) => {
    await expect(lookup(input as LookupEventsCommandInput)).rejects.toBeInstanceOf(type);
  });

  it('refuses a NextToken with other parameters', async () => {
    const out = await lookup({ LookupAttributes: QS, MaxResults: 10 });
    await expect(
      lookup({
        LookupAttributes: QS,
        MaxResults: 10,
        StartTime: new Date(NOW - 3_600_000),
        NextToken: out.NextToken,
      }),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });

  it('allows 2 calls a second by default and answers ThrottlingException beyond', async () => {
    const strict = await startCloudTrailStandIn(state, { now: () => NOW });
    const c = new CloudTrailClient({
      region: 'us-east-1',
      endpoint: strict.endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      systemClockOffset: NOW - Date.now(),
    });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => c.send(new LookupEventsCommand({ MaxResults: 1 }))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected).toHaveLength(3);
      for (const r of rejected) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ThrottlingException);
        expect((r as PromiseRejectedResult).reason.$metadata.httpStatusCode).toBe(429);
      }
      expect(strict.faults.counters.throttled).toBe(3);
    } finally {
      c.destroy();
      await strict.close();
    }
  });

  it('answers with its clock in Date, refuses a request signed 15 minutes off it, and delays delivery', async () => {
    const timed = await startCloudTrailStandIn(state, { now: () => NOW });
    const clientAt = (offsetMs: number) =>
      new CloudTrailClient({
        region: 'us-east-1',
        endpoint: timed.endpoint,
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        systemClockOffset: NOW + offsetMs - Date.now(),
      });
    const within = clientAt(14 * 60_000);
    const late = clientAt(-16 * 60_000);
    const early = clientAt(16 * 60_000);
    try {
      const dates: string[] = [];
      within.middlewareStack.add(
        (next) => async (args) => {
          const out = await next(args);
          dates.push(String((out.response as { headers: Record<string, string> }).headers.date));
          return out;
        },
        { step: 'deserialize', name: 'dates' },
      );
      const newest = await within.send(new LookupEventsCommand({ LookupAttributes: QS }));
      expect(dates).toEqual([new Date(NOW).toUTCString()]);
      await expect(late.send(new LookupEventsCommand({}))).rejects.toThrow(
        /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
      );
      await expect(early.send(new LookupEventsCommand({}))).rejects.toThrow(
        /^Signature not yet current/,
      );
      // Delivered 15 minutes after their time: the newest events are not there yet.
      timed.delivery.delayMs = 15 * 60_000;
      const delayed = await within.send(new LookupEventsCommand({ LookupAttributes: QS }));
      const newestAt = (out: typeof newest) => out.Events?.[0]?.EventTime?.getTime() ?? 0;
      expect(newestAt(newest)).toBeGreaterThan(NOW - 15 * 60_000);
      expect(newestAt(delayed)).toBeLessThanOrEqual(NOW - 15 * 60_000);
      // The clock can be run off its source.
      timed.clock.offsetMs = -3 * 86_400_000;
      await expect(within.send(new LookupEventsCommand({}))).rejects.toThrow(
        /Signature not yet current/,
      );
      expect(dates.at(-1)).toBe(new Date(NOW - 3 * 86_400_000).toUTCString());
    } finally {
      for (const c of [within, late, early]) c.destroy();
      await timed.close();
    }
  });
  it("answers each account's history to that account's callers only, each at its own limit", async () => {
    const HOME = '123456789012';
    const B = '222222222222';
    const accounts = new CloudTrailState('us-east-1', HOME);
    const inAccount = (accountId: string, secondsAgo: number) =>
      quickSightEvent({
        accountId,
        region: 'us-east-1',
        time: new Date(NOW - secondsAgo * 1000),
        eventName: 'GetDashboard',
        actor: { kind: 'native', userName: `u${secondsAgo}` },
        random,
      });
    accounts.add([inAccount(HOME, 60), inAccount(HOME, 120), inAccount(B, 90)]);
    // B's callers sign with B's key; anyone else is the home account.
    const split = await startCloudTrailStandIn(accounts, {
      now: () => NOW,
      accountOf: (req) => (accessKeyOf(req) === 'AKIDACCOUNTB' ? B : undefined),
    });
    const clientOf = (accessKeyId: string) =>
      new CloudTrailClient({
        region: 'us-east-1',
        endpoint: split.endpoint,
        credentials: { accessKeyId, secretAccessKey: 'x' },
        maxAttempts: 1,
        systemClockOffset: NOW - Date.now(),
      });
    const home = clientOf(TEST_CREDENTIALS.accessKeyId);
    const b = clientOf('AKIDACCOUNTB');
    try {
      const accountsSeen = async (client: CloudTrailClient) =>
        ((await client.send(new LookupEventsCommand({ LookupAttributes: QS }))).Events ?? []).map(
          (e) =>
            (JSON.parse(e.CloudTrailEvent ?? '{}') as { recipientAccountId: string })
              .recipientAccountId,
        );
      expect(await accountsSeen(home)).toEqual([HOME, HOME]);
      expect(await accountsSeen(b)).toEqual([B]);
      // LookupEvents' 2 calls a second hold per account and region.
      expect(split.regionFaults.has(`${B}/us-east-1`)).toBe(true);
      expect(split.faultsFor(`${B}/us-east-1`)).not.toBe(split.faults);
    } finally {
      home.destroy();
      b.destroy();
      await split.close();
    }
  });
});
