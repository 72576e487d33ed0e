import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { createSnapshotHandler, parseSnapshotTrigger } from '../../../services/snapshot/handler.js';
import { ConfigError, UsageError } from '../../../shared/errors.js';
import { LAMBDA_ENV } from '../../../shared/lambda/lambda-env.js';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';
import { startSecretsExtension, TOKEN } from '../../helpers/secrets-extension.js';

const SCHEDULED = JSON.parse(
  readFileSync(new URL('../../fixtures/infra/scheduled-event.json', import.meta.url), 'utf8'),
);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idsync/google-key-AbCdEf';

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('snapshot Lambda handler on the sandbox', () => {
  let t: TestSandbox;
  let extension: Awaited<ReturnType<typeof startSecretsExtension>>;
  let secrets: Map<string, string>;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    secrets = new Map([[SECRET_ARN, readFileSync(t.sandbox.google.credentialsPath, 'utf8')]]);
    extension = await startSecretsExtension(secrets);
  });
  afterAll(async () => {
    await extension?.close();
    await t?.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-lambda-'));
    env = {
      ...t.sandbox.env,
      IDSYNC_GOOGLE_CREDENTIALS: join(dir, 'google-key.json'),
      [LAMBDA_ENV.googleKeySecret]: SECRET_ARN,
      AWS_SESSION_TOKEN: TOKEN,
      IDSYNC_LOG_LEVEL: 'info',
    };
    extension.state.requests = 0;
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('takes a COMPLETE snapshot from a scheduled event, fetching the key once per container', async () => {
    const logs = captureLogs();
    const handler = createSnapshotHandler(env, {
      secrets: extension.reader(),
      logDestination: logs.stream,
    });
    const first = await handler(SCHEDULED);
    const org = t.sandbox.org;
    expect(first.status).toBe('COMPLETE');
    expect(first.counts).toEqual({
      google: org.counts.entitledPeople,
      idc: org.counts.idcUsers,
      quicksight: org.counts.quickSightUsers,
    });
    expect(first.ledgerRecorded).toBe(org.counts.entitledPeople);
    expect(extension.state.requests).toBe(1);
    expect(extension.state.lastToken).toBe(TOKEN);

    const keyPath = env.IDSYNC_GOOGLE_CREDENTIALS as string;
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toBe(secrets.get(SECRET_ARN));

    const second = await handler({});
    expect(second.status).toBe('COMPLETE');
    expect(second.runId).not.toBe(first.runId);
    expect(extension.state.requests).toBe(1); // warm container: no second fetch

    const metrics = logs.lines.filter((l) => l._aws);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toMatchObject({
      msg: 'snapshot metrics',
      PartialSnapshot: 0,
      Deployment: 'idsync',
      runId: first.runId,
      trigger: { kind: 'schedule', eventId: SCHEDULED.id, time: SCHEDULED.time },
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'idsync',
            Dimensions: [['Deployment']],
            Metrics: [{ Name: 'PartialSnapshot', Unit: 'Count' }],
          },
        ],
      },
    });
    expect(metrics[1]).toMatchObject({ trigger: { kind: 'manual' } });
    // The key never reaches the log.
    const privateKey = JSON.parse(secrets.get(SECRET_ARN) as string).private_key as string;
    expect(JSON.stringify(logs.lines)).not.toContain(privateKey.slice(40, 80));
  });

  it('returns a PARTIAL summary (no throw) and emits PartialSnapshot 1 when Google fails', async () => {
    const logs = captureLogs();
    const handler = createSnapshotHandler(env, {
      secrets: extension.reader(),
      logDestination: logs.stream,
    });
    t.sandbox.google.faults.configure({ failPage: { page: 1 } });
    try {
      const result = await handler(SCHEDULED);
      expect(result.status).toBe('PARTIAL');
      expect(result.reason).toMatch(/google/i);
      expect(result.gone).toBe(0);
    } finally {
      t.sandbox.google.faults.configure({});
    }
    expect(logs.lines.find((l) => l._aws)).toMatchObject({ PartialSnapshot: 1 });
  });

  it('rejects a malformed event before doing anything', async () => {
    const handler = createSnapshotHandler(env, { secrets: extension.reader() });
    await expect(handler({ 'detail-type': 'Object Created', source: 'aws.s3' })).rejects.toThrow(
      UsageError,
    );
    await expect(handler([SCHEDULED])).rejects.toThrow(UsageError);
    expect(extension.state.requests).toBe(0);
  });

  it('fails with a ConfigError that does not quote a bad secret, and recovers once it is fixed', async () => {
    const handler = createSnapshotHandler(env, {
      secrets: extension.reader(),
      logDestination: captureLogs().stream,
    });
    const good = secrets.get(SECRET_ARN) as string;
    secrets.set(SECRET_ARN, 'hunter2 is not a key');
    try {
      const error = await handler(SCHEDULED).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(LAMBDA_ENV.googleKeySecret);
      expect((error as Error).message).not.toContain('hunter2');
      secrets.set(SECRET_ARN, JSON.stringify({ type: 'authorized_user', client_id: 'x' }));
      await expect(handler(SCHEDULED)).rejects.toThrow(/not a service-account key/);
    } finally {
      secrets.set(SECRET_ARN, good);
    }
    expect((await handler(SCHEDULED)).status).toBe('COMPLETE');
  });

  it('names the missing secret variable', async () => {
    const { [LAMBDA_ENV.googleKeySecret]: _, ...withoutSecret } = env;
    const handler = createSnapshotHandler(withoutSecret, { secrets: extension.reader() });
    await expect(handler(SCHEDULED)).rejects.toThrow(LAMBDA_ENV.googleKeySecret);
  });
});

describe('parseSnapshotTrigger', () => {
  it('reads a scheduled event, a manual invocation, and refuses the rest', () => {
    expect(parseSnapshotTrigger(SCHEDULED)).toEqual({
      kind: 'schedule',
      eventId: SCHEDULED.id,
      time: SCHEDULED.time,
    });
    expect(parseSnapshotTrigger({})).toEqual({ kind: 'manual' });
    expect(parseSnapshotTrigger(undefined)).toEqual({ kind: 'manual' });
    expect(() => parseSnapshotTrigger('run')).toThrow(UsageError);
    expect(() =>
      parseSnapshotTrigger({ 'detail-type': 'Scheduled Event', source: 'aws.s3' }),
    ).toThrow(UsageError);
  });
});
