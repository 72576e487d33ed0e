import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, records };
}

describe('createLogger', () => {
  it('writes JSON records to the given destination', () => {
    const { stream, records } = capture();
    const log = createLogger({ destination: stream, level: 'info' });
    log.info({ runId: 'r-1', count: 3 }, 'snapshot complete');
    log.debug('hidden at info');
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({
      level: 30,
      runId: 'r-1',
      count: 3,
      msg: 'snapshot complete',
      name: 'idsync',
    });
    expect(typeof records()[0]?.time).toBe('string');
  });

  it('honours the level', () => {
    const { stream, records } = capture();
    const log = createLogger({ destination: stream, level: 'warn' });
    log.info('no');
    log.warn('yes');
    expect(records().map((r) => r.msg)).toEqual(['yes']);
  });

  it('redacts secrets at the top level and one level down', () => {
    const { stream, records } = capture();
    const log = createLogger({ destination: stream });
    log.info(
      {
        token: 'ya29.secret',
        private_key: '-----BEGIN PRIVATE KEY-----',
        google: { access_token: 'abc', private_key: 'k', subject: 'admin@example.com' },
        headers: { authorization: 'Bearer xyz' },
        aws: { secretAccessKey: 's', sessionToken: 't' },
      },
      'auth',
    );
    const text = JSON.stringify(records()[0]);
    for (const secret of [
      'ya29.secret',
      'BEGIN PRIVATE KEY',
      '"abc"',
      'Bearer xyz',
      '"s"',
      '"t"',
      '"k"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(records()[0]).toMatchObject({
      token: '[redacted]',
      google: { subject: 'admin@example.com' },
    });
  });
});
