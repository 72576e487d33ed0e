import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';
import {
  createGoogleDirectory,
  type GoogleDirectoryOptions,
  type GoogleRetryEvent,
} from '../../../../services/snapshot/google/google-directory.js';
import type { GoogleMember } from '../../../../shared/domain.js';
import { RemoteServiceError } from '../../../../shared/errors.js';
import type { BackoffPolicy } from '../../../../shared/retry.js';
import {
  ADMIN,
  type GoogleFixture,
  SAMPLE_PARENT_FLATTENED,
  scriptedRandom,
  seedGroup,
  seedSampleDirectory,
  startGoogleFixture,
} from '../../sandbox/google/fixture.js';

const FAST: BackoffPolicy = { baseMs: 5, capMs: 50, maxAttempts: 4 };

async function collect(pages: AsyncIterable<readonly GoogleMember[]>) {
  const sizes: number[] = [];
  const members: GoogleMember[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    members.push(...page);
  }
  return { sizes, members };
}

async function failureOf(pages: AsyncIterable<readonly GoogleMember[]>): Promise<unknown> {
  try {
    await collect(pages);
  } catch (error) {
    return error;
  }
  throw new Error('expected the listing to fail');
}

describe('GoogleDirectory adapter against the Google stand-in', () => {
  let fx: GoogleFixture;
  const directory = (over: Partial<GoogleDirectoryOptions> = {}) =>
    createGoogleDirectory({
      credentialsPath: fx.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: fx.standIn.rootUrl,
      retry: FAST,
      ...over,
    });

  beforeAll(async () => {
    fx = await startGoogleFixture();
    seedSampleDirectory(fx.state);
  });
  afterAll(() => fx.close());
  afterEach(() => fx.standIn.faults.configure({}));

  it('lists 450 members as pages of 200/200/50, with one token from the key file token_uri', async () => {
    const tokensBefore = fx.standIn.issuedTokens();
    const { sizes, members } = await collect(directory().listMembers('big@example.com'));
    expect(sizes).toEqual([200, 200, 50]);
    const expected = fx.state.listMembers('big@example.com', true);
    expect(members.map((m) => m.email).sort()).toEqual(expected.map((m) => m.email).sort());
    expect(members[0]).toEqual(expected.find((m) => m.email === members[0]?.email));
    expect(fx.standIn.issuedTokens()).toBe(tokensBefore + 1);
  });

  it('flattens nested groups: users only, a user in both groups once', async () => {
    const { members } = await collect(directory().listMembers('parent@example.com'));
    expect(members.map((m) => m.email).sort()).toEqual(SAMPLE_PARENT_FLATTENED);
    expect(members.every((m) => m.type === 'USER')).toBe(true);
  });

  it('yields one empty page for an empty group', async () => {
    expect(await collect(directory().listMembers('empty@example.com'))).toEqual({
      sizes: [0],
      members: [],
    });
  });

  it.each([
    ['a 403 quotaExceeded throttle', { throttleRate: 1 }, /HTTP 403 quotaExceeded/],
    ['a 503 backendError', { errorRate: 1 }, /HTTP 503 backendError/],
    ['a connection reset', { resetRate: 1 }, /no answer/],
  ])('retries %s and completes', async (_name, faults, reason) => {
    // The knob fails every call until the adapter's first retry turns it off: exactly one fault.
    fx.standIn.faults.configure(faults);
    const events: GoogleRetryEvent[] = [];
    const { sizes, members } = await collect(
      directory({
        onRetry: (event) => {
          events.push(event);
          fx.standIn.faults.configure({});
        },
      }).listMembers('big@example.com'),
    );
    expect(sizes).toEqual([200, 200, 50]);
    expect(new Set(members.map((m) => m.email)).size).toBe(450);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ groupKey: 'big@example.com', page: 1, attempt: 1 });
    expect(events[0]?.reason).toMatch(reason);
  });

  it('adds up the latency knob on every page', async () => {
    fx.standIn.faults.configure({ latencyMs: 40 });
    const started = performance.now();
    const { sizes } = await collect(directory().listMembers('big@example.com'));
    expect(sizes).toEqual([200, 200, 50]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
  });

  it('gives up on a persistently failing page with a retryable error naming group and page', async () => {
    fx.standIn.faults.configure({ failPage: { page: 2 } });
    const callsBefore = fx.standIn.faults.counters.calls;
    const pages: number[] = [];
    const listing = directory().listMembers('big@example.com');
    const error = await failureOf({
      async *[Symbol.asyncIterator]() {
        for await (const page of listing) {
          pages.push(page.length);
          yield page;
        }
      },
    });
    expect(error).toBeInstanceOf(RemoteServiceError);
    const remote = error as RemoteServiceError;
    expect(remote.retryable).toBe(true);
    expect(remote.message).toMatch(/big@example\.com, page 2: HTTP 503 backendError/);
    expect(remote.message).toMatch(/gave up after 4 attempts/);
    expect(pages).toEqual([200]);
    // One call for page 1, then exactly maxAttempts for page 2: gaxios does not retry underneath.
    expect(fx.standIn.faults.counters.calls - callsBefore).toBe(1 + FAST.maxAttempts);
  });

  it('honours Retry-After as a floor on the backoff', async () => {
    fx.standIn.faults.configure({ bucket: { rate: 0.2, burst: 1 } });
    const delays: number[] = [];
    const { sizes } = await collect(
      directory({
        retry: { baseMs: 1, capMs: 10_000, maxAttempts: 3 },
        sleep: async (ms) => {
          delays.push(ms);
          fx.standIn.faults.configure({});
        },
      }).listMembers('big@example.com'),
    );
    expect(sizes).toEqual([200, 200, 50]);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
  });

  it('fails with a non-retryable auth error for a subject it may not impersonate', async () => {
    const tokensBefore = fx.standIn.issuedTokens();
    const error = await failureOf(
      directory({ subject: 'mallory@example.com' }).listMembers('big@example.com'),
    );
    expect(error).toBeInstanceOf(RemoteServiceError);
    const remote = error as RemoteServiceError;
    expect(remote.retryable).toBe(false);
    expect(remote.message).toMatch(
      /authorisation failed.*invalid_grant \(Invalid email or User ID\)/,
    );
    expect(remote.message).not.toMatch(/PRIVATE KEY|ya29\.|assertion=/);
    expect(fx.standIn.issuedTokens()).toBe(tokensBefore);
  });

  it('fails without retrying for an unknown group', async () => {
    const events: GoogleRetryEvent[] = [];
    const error = await failureOf(
      directory({ onRetry: (e) => events.push(e) }).listMembers('nobody@example.com'),
    );
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect((error as RemoteServiceError).retryable).toBe(false);
    expect((error as RemoteServiceError).message).toMatch(
      /nobody@example\.com, page 1: no such group/,
    );
    expect(events).toEqual([]);
  });
});

describe('GoogleDirectory adapter under 30 % throttling', () => {
  let fx: GoogleFixture;
  beforeAll(async () => {
    fx = await startGoogleFixture({ faults: { throttleRate: 0.3 }, random: mulberry32(7) });
    seedGroup(fx.state, 'big@example.com', 2_150);
  });
  afterAll(() => fx.close());

  it('completes with every member exactly once', async () => {
    const events: GoogleRetryEvent[] = [];
    const directory = createGoogleDirectory({
      credentialsPath: fx.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: fx.standIn.rootUrl,
      retry: { baseMs: 5, capMs: 50, maxAttempts: 10 },
      random: mulberry32(11),
      onRetry: (e) => events.push(e),
    });
    const { sizes, members } = await collect(directory.listMembers('big@example.com'));
    expect(sizes).toHaveLength(11);
    const emails = members.map((m) => m.email);
    expect(new Set(emails).size).toBe(2_150);
    expect(emails).toHaveLength(2_150);
    expect(fx.standIn.faults.counters.throttled).toBeGreaterThan(0);
    expect(events).toHaveLength(fx.standIn.faults.counters.throttled);
  });
});

describe('GoogleDirectory adapter: scripted single faults', () => {
  it('retries a page throttled once and asks for it again with the same page token', async () => {
    // Calls: page 1 ok, page 2 throttled, page 2 ok, page 3 ok.
    const fx = await startGoogleFixture({
      faults: { throttleRate: 0.5 },
      random: scriptedRandom([0.9, 0.1]),
    });
    try {
      seedGroup(fx.state, 'big@example.com', 450);
      const events: GoogleRetryEvent[] = [];
      const { sizes, members } = await collect(
        createGoogleDirectory({
          credentialsPath: fx.standIn.credentialsPath,
          subject: ADMIN,
          rootUrl: fx.standIn.rootUrl,
          retry: FAST,
          onRetry: (e) => events.push(e),
        }).listMembers('big@example.com'),
      );
      expect(sizes).toEqual([200, 200, 50]);
      expect(new Set(members.map((m) => m.email)).size).toBe(450);
      expect(events.map((e) => [e.page, e.attempt])).toEqual([[2, 1]]);
      expect(events[0]?.reason).toMatch(/quotaExceeded/);
      expect(fx.standIn.faults.counters.calls).toBe(4);
    } finally {
      await fx.close();
    }
  });
});
