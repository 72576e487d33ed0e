import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { currentRoleSessionName } from '../../../shared/aws/role-session.js';
import { lambdaHandler } from '../../../shared/lambda/lambda-handler.js';

/** Every JSON log line written, parsed (no I/O beyond memory). */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream, metrics: () => lines.filter((l) => l._aws !== undefined) };
}

const context = (awsRequestId: string) => ({ awsRequestId, getRemainingTimeInMillis: () => 1000 });

describe('lambdaHandler', () => {
  it('builds the container once and tags every line with the request id and cold start', async () => {
    const logs = captureLogs();
    let builds = 0;
    const handler = lambdaHandler(
      {
        sections: ['worker'],
        parse: (event: unknown) => String(event),
        build: (config) => {
          builds++;
          return { rate: config.worker.rate };
        },
        run: async (event, { deps, logger, metrics }) => {
          logger.info({ event }, 'working');
          metrics({ FailedItems: 0 }, { event }, 'metrics');
          return deps.rate;
        },
      },
      { IDSYNC_RATE: '7', IDSYNC_TABLE_PREFIX: 'idsync-t' },
      { logDestination: logs.stream },
    );
    expect(await handler('a', context('req-1'))).toBe(7);
    expect(await handler('b', context('req-2'))).toBe(7);
    expect(builds).toBe(1);
    const working = logs.lines.filter((l) => l.msg === 'working');
    expect(working).toMatchObject([
      { requestId: 'req-1', coldStart: true, event: 'a' },
      { requestId: 'req-2', coldStart: false, event: 'b' },
    ]);
    expect(logs.metrics()).toMatchObject([
      { requestId: 'req-1', Deployment: 'idsync-t', FailedItems: 0, event: 'a' },
      { requestId: 'req-2', Deployment: 'idsync-t', FailedItems: 0, event: 'b' },
    ]);
  });

  it('parses before it builds, and builds again after a failed build', async () => {
    let builds = 0;
    const handler = lambdaHandler(
      {
        sections: [],
        parse: (event: unknown) => {
          if (event !== 'ok') throw new Error('bad event');
          return event;
        },
        build: () => {
          builds++;
          if (builds === 1) throw new Error('extension not ready');
          return {};
        },
        run: async (_event, { logger }) => logger.bindings(),
      },
      {},
      { logDestination: captureLogs().stream },
    );
    await expect(handler('bad')).rejects.toThrow('bad event');
    expect(builds).toBe(0);
    await expect(handler('ok')).rejects.toThrow('extension not ready');
    expect(await handler('ok')).toMatchObject({ coldStart: true });
    expect(builds).toBe(2);
  });

  it('names the variable when the configuration is bad', async () => {
    const handler = lambdaHandler(
      { sections: ['worker'], parse: () => 0, build: () => ({}), run: async () => 0 },
      { IDSYNC_RATE: 'fast' },
    );
    await expect(handler({})).rejects.toThrow(/IDSYNC_RATE/);
  });

  it('names each invocation its own role session, and logs it when roles are configured', async () => {
    const logs = captureLogs();
    const handler = lambdaHandler(
      {
        name: 'snapshot',
        sections: [],
        parse: () => 0,
        build: () => ({}),
        run: async (_event, { logger }) => {
          logger.info('working');
          return currentRoleSessionName();
        },
      },
      { IDSYNC_QUICKSIGHT_ROLE_ARN: 'arn:aws:iam::111111111111:role/qs' },
      { logDestination: logs.stream },
    );
    const first = await handler({});
    const second = await handler({});
    expect(first).toMatch(/^idsync-snapshot-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(second).toMatch(/^idsync-snapshot-/);
    expect(second).not.toBe(first);
    expect(logs.lines.map((l) => l.roleSession)).toEqual([first, second]);
  });
});
