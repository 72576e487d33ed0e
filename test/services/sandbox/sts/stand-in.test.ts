import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StsStandIn } from '../../../../services/sandbox/sts/stand-in.js';
import { startStsStandIn } from '../../../../services/sandbox/sts/stand-in.js';
import { StsState } from '../../../../services/sandbox/sts/sts-state.js';

/** The STS stand-in through the SDK's own STS client (the one fromTemporaryCredentials uses). */

const OPEN = 'arn:aws:iam::111111111111:role/open';
const GUARDED = 'arn:aws:iam::222222222222:role/path/guarded';

let sts: StsStandIn;
let client: STSClient;
let now = Date.parse('2026-12-07T12:00:00Z');
beforeAll(async () => {
  const state = new StsState('123456789012', () => now);
  state.addRole({ roleArn: OPEN });
  state.addRole({ roleArn: GUARDED, externalId: 'agreed-id' });
  sts = await startStsStandIn(state);
  client = new STSClient({
    region: 'us-east-1',
    endpoint: sts.endpoint,
    credentials: { accessKeyId: 'AKIASOURCE', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await sts?.close();
});

describe('STS stand-in: AssumeRole', () => {
  it('issues a session in the XML the SDK reads, and records who assumed what', async () => {
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn: GUARDED,
        RoleSessionName: 'idsync-a',
        ExternalId: 'agreed-id',
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
    // Default DurationSeconds: one hour.
    expect(out.Credentials?.Expiration?.toISOString()).toBe('2026-12-07T13:00:00.000Z');
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::222222222222:assumed-role/guarded/idsync-a',
    );
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[0-9A-F]+:idsync-a$/);
    expect(sts.state.assumed.at(-1)).toEqual({
      roleArn: GUARDED,
      sessionName: 'idsync-a',
      externalId: 'agreed-id',
      sourceAccessKeyId: 'AKIASOURCE',
      at: '2026-12-07T12:00:00.000Z',
      accessKeyId: out.Credentials?.AccessKeyId,
      expiresAt: '2026-12-07T13:00:00.000Z',
    });
  });

  it('refuses a wrong or missing external id, and an unknown role, as AccessDenied', async () => {
    for (const input of [
      { RoleArn: GUARDED, RoleSessionName: 'idsync-b', ExternalId: 'wrong-id' },
      { RoleArn: GUARDED, RoleSessionName: 'idsync-b' },
      { RoleArn: 'arn:aws:iam::333333333333:role/unknown', RoleSessionName: 'idsync-b' },
    ]) {
      const error = await client.send(new AssumeRoleCommand(input)).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:iam::123456789012:user/AKIASOURCE is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      });
      expect(sts.state.assumed.at(-1)).toMatchObject({
        roleArn: input.RoleArn,
        refused: 'AccessDenied',
      });
    }
  });

  it('honours DurationSeconds, and the sessionSeconds control below STS minimum', async () => {
    const asked = await client.send(
      new AssumeRoleCommand({ RoleArn: OPEN, RoleSessionName: 'idsync-c', DurationSeconds: 900 }),
    );
    expect(asked.Credentials?.Expiration?.getTime()).toBe(now + 900_000);
    sts.state.sessionSeconds = 30;
    const short = await client.send(
      new AssumeRoleCommand({ RoleArn: OPEN, RoleSessionName: 'idsync-c' }),
    );
    sts.state.sessionSeconds = undefined;
    expect(short.Credentials?.Expiration?.getTime()).toBe(now + 30_000);
    const session = sts.state.session(short.Credentials?.AccessKeyId ?? '');
    expect(session && sts.state.expired(session)).toBe(false);
    now += 30_000;
    expect(session && sts.state.expired(session)).toBe(true);
  });

  it('answers a malformed session name with ValidationError', async () => {
    const error = await client
      .send(new AssumeRoleCommand({ RoleArn: OPEN, RoleSessionName: 'has space' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/^1 validation error detected: Value 'has space'/);
  });
});
