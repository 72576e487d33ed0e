import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundSince, MAX_SINCE_DAYS, parseSince } from '../../../services/audit/since.js';
import { UsageError } from '../../../shared/errors.js';

const now = new Date('2026-11-27T16:47:00.000Z');

describe('parseSince', () => {
  it('takes times back from now in minutes, hours, days and weeks', () => {
    expect(parseSince('24h', now)).toBe('2026-11-26T16:47:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-11-20T16:47:00.000Z');
    expect(parseSince('30m', now)).toBe('2026-11-27T16:17:00.000Z');
    expect(parseSince('2w', now)).toBe('2026-11-13T16:47:00.000Z');
    expect(parseSince(' 7D ', now)).toBe('2026-11-20T16:47:00.000Z');
  });

  it('takes ISO dates (midnight UTC) and times, and returns the canonical form audit rows use', () => {
    expect(parseSince('2026-11-27', now)).toBe('2026-11-27T00:00:00.000Z');
    expect(parseSince('2026-11-27T09:00Z', now)).toBe('2026-11-27T09:00:00.000Z');
    expect(parseSince('2026-11-27T09:00:00.5+01:00', now)).toBe('2026-11-27T08:00:00.500Z');
    expect(parseSince('2024-02-29', now)).toBe('2024-02-29T00:00:00.000Z');
  });

  it('refuses anything else with a UsageError that names the flag', () => {
    for (const bad of [
      '',
      'yesterday',
      '7',
      '7x',
      '2026-02-30',
      '2026-13-01',
      '2026-11-27T25:00Z',
      '-1d',
    ]) {
      const error = (() => {
        try {
          parseSince(bad, now);
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain('--since');
    }
  });

  it('a relative time is always before now by exactly that span', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999 }),
        fc.constantFrom('m', 'h', 'd', 'w'),
        (k, unit) => {
          const ms = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit];
          expect(now.getTime() - Date.parse(parseSince(`${k}${unit}`, now))).toBe(k * ms);
        },
      ),
    );
  });

  it('every real calendar day parses to its own midnight', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(parseSince(day, now)).toBe(`${day}T00:00:00.000Z`);
        },
      ),
    );
  });
});

describe('boundSince', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  it('moves an instant before the table existed to the day the table was created, and says so', () => {
    const created = new Date('2026-11-20T08:30:00Z');
    expect(boundSince('1970-01-01T00:00:00.000Z', created, now)).toEqual({
      since: '2026-11-20T00:00:00.000Z',
      note: '--since 1970-01-01 is before the audit table was created; reading from 2026-11-20',
    });
    expect(boundSince('2026-11-25T00:00:00.000Z', created, now)).toEqual({
      since: '2026-11-25T00:00:00.000Z',
    });
  });
  it('caps the days read when the creation time is unknown, and names a future instant', () => {
    const bounded = boundSince('1970-01-01T00:00:00.000Z', undefined, now);
    expect(Date.parse(bounded.since)).toBe(now.getTime() - MAX_SINCE_DAYS * 86_400_000);
    expect(bounded.note).toMatch(/more than 1098 days back/);
    const clockSkew = boundSince('2026-11-26T00:00:00.000Z', new Date('2026-12-05T00:00:00Z'), now);
    expect(clockSkew.since).toBe('2026-11-26T00:00:00.000Z');
    expect(boundSince('2027-01-01T00:00:00.000Z', undefined, now).note).toMatch(/in the future/);
  });
});
