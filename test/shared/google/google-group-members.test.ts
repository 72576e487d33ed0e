import { afterEach, describe, expect, it } from 'vitest';
import {
  createGroupMemberWriter,
  DIRECTORY_MEMBER_WRITE_SCOPE,
} from '../../../shared/google/google-group-members.js';
import { GoogleWriteError } from '../../../shared/google/google-write-error.js';
import {
  ADMIN,
  type FixtureOptions,
  type GoogleFixture,
  MEMBER_READONLY_SCOPE,
  scriptedRandom,
  seedGroup,
  startGoogleFixture,
} from '../../services/sandbox/google/fixture.js';

/**
 * The Google member-write adapter against the Directory stand-in (real `@googleapis/admin` and
 * google-auth-library, real JWT-bearer grant): one call per method, answers that are not
 * failures (already gone, already a member), and failures classified for the worker's retries,
 * a refused scope naming the scope.
 */

const GROUP = 'readers@example.com';

describe('GoogleGroupMembers', () => {
  let fx: GoogleFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });
  const start = async (options: FixtureOptions = {}, timeoutMs = 5_000) => {
    fx = await startGoogleFixture(options);
    const [email] = seedGroup(fx.state, GROUP, 2, 'reader');
    const writer = createGroupMemberWriter({
      credentialsPath: fx.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: fx.standIn.rootUrl,
      timeoutMs,
    });
    return { fx, writer, email: email as string };
  };
  const members = (f: GoogleFixture) => f.state.listMembers(GROUP, false).map((m) => m.email);

  it('removes a member; a second removal is "already gone"; insert adds back, twice "already a member"', async () => {
    const { fx, writer, email } = await start();
    expect(await writer.removeMember(GROUP, email)).toBe('removed');
    expect(members(fx)).not.toContain(email);
    expect(await writer.removeMember(GROUP, email)).toBe('already_gone');
    expect(await writer.addMember(GROUP, email)).toBe('added');
    expect(members(fx)).toContain(email);
    expect(await writer.addMember(GROUP, email)).toBe('already_member');
  });

  it('an unknown group is an error, not "already gone"', async () => {
    const { writer, email } = await start();
    await expect(writer.removeMember('nope@example.com', email)).rejects.toThrow(
      /no such group .*groupKey/,
    );
  });

  it('a scope not granted by domain-wide delegation: a clear error naming the scope, not retried', async () => {
    const { fx, writer, email } = await start({ delegatedScopes: [MEMBER_READONLY_SCOPE] });
    const error = await writer.removeMember(GROUP, email).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleWriteError);
    expect((error as GoogleWriteError).retryable).toBe(false);
    expect((error as Error).message).toContain('unauthorized_client');
    expect((error as Error).message).toContain(DIRECTORY_MEMBER_WRITE_SCOPE);
    expect(members(fx)).toContain(email);
  });

  it('throttles and 5xx are retryable failures (the worker retries), throttles flagged as such', async () => {
    // Scripted fault draws: reset, throttle, error rates all 0.5; the draws pick each in turn.
    const { writer, email, fx } = await start({
      faults: { throttleRate: 0.5, errorRate: 0.5 },
      random: scriptedRandom([0.1, 0.9, 0.1]),
    });
    const throttled = await writer.removeMember(GROUP, email).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(GoogleWriteError);
    expect(throttled).toMatchObject({ retryable: true, throttled: true });
    const failed = await writer.removeMember(GROUP, email).catch((e: unknown) => e);
    expect(failed).toMatchObject({ retryable: true, throttled: false });
    expect((failed as Error).message).toContain('HTTP 503');
    expect(members(fx)).toContain(email);
    expect(await writer.removeMember(GROUP, email)).toBe('removed');
  });

  it('no answer in time: a retryable failure that says so', async () => {
    const { writer, email } = await start({ faults: { latencyMs: 600 } }, 200);
    const error = await writer.removeMember(GROUP, email).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/did not answer in time|unreachable/);
  });
});
