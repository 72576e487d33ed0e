import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, readCalendarTime, validCalendarParts } from '../../shared/calendar-time.js';

const instant = (text: string) => {
  const read = readCalendarTime(text);
  return 'problem' in read ? read : { kind: read.kind, at: new Date(read.earliest).toISOString() };
};

describe('readCalendarTime', () => {
  it.each([
    ['2026-09-14T10:20:00Z', '2026-09-14T10:20:00.000Z'],
    ['2026-09-14T10:20:00+02:00', '2026-09-14T08:20:00.000Z'],
    ['2026-09-14t10:20z', '2026-09-14T10:20:00.000Z'],
    ['2026-09-14T10:20:00.123456789-0330', '2026-09-14T13:50:00.123Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    ['2026-12-31T23:59:59+14:00', '2026-12-31T09:59:59.000Z'],
    ['2026-01-01T00:00-12:00', '2026-01-01T12:00:00.000Z'],
    ['２０２６-０９-１４Ｔ１０:２０Ｚ', '2026-09-14T10:20:00.000Z'],
  ])('%s is the instant %s', (text, at) => {
    expect(instant(text)).toEqual({ kind: 'instant', at });
  });

  it('a date alone spans its start at UTC+14 to its end at UTC−12', () => {
    expect(readCalendarTime(' 2026-09-14 ')).toEqual({
      kind: 'date',
      earliest: Date.parse('2026-09-13T10:00:00.000Z'),
      latest: Date.parse('2026-09-15T11:59:59.999Z'),
    });
  });

  it.each([
    ['2026-02-30T10:00Z', 'calendar'],
    ['2026-02-29', 'calendar'],
    ['2100-02-29', 'calendar'],
    ['2026-13-01', 'calendar'],
    ['2026-00-10', 'calendar'],
    ['2026-04-31', 'calendar'],
    ['2026-01-00', 'calendar'],
    ['2026-01-01T24:00Z', 'calendar'],
    ['2026-01-01T23:60Z', 'calendar'],
    ['2026-12-31T23:59:60Z', 'calendar'],
    ['2026-01-01T10:00+15:00', 'zone'],
    ['2026-01-01T10:00-13:00', 'zone'],
    ['2026-01-01T10:00+14:30', 'zone'],
    ['2026-01-01T10:00+01:60', 'zone'],
    ['2026-09-14T10:20:00', 'zone'],
    ['2026-9-14', 'form'],
    ['14/09/2026', 'form'],
    ['yesterday', 'form'],
    ['2026-09-14 10:20Z', 'form'],
    ['', 'empty'],
    ['   ', 'empty'],
  ])('refuses %j (%s)', (text, code) => {
    expect(readCalendarTime(text)).toMatchObject({ code });
  });

  it('property: any valid instant round-trips through its ISO text, in any offset', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0100-01-01T00:00:00Z'),
          max: new Date('9998-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (date, offsetMin) => {
          expect(readCalendarTime(date.toISOString())).toEqual({
            kind: 'instant',
            earliest: date.getTime(),
            latest: date.getTime(),
          });
          const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
          const abs = Math.abs(offsetMin);
          const zone = `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(readCalendarTime(`${local}${zone}`)).toMatchObject({ earliest: date.getTime() });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: any day of the month past its last is refused, as a date and as a time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        (year, month, past) => {
          const day = daysInMonth(year, month) + past;
          if (day > 99) return;
          const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          expect(readCalendarTime(date)).toMatchObject({ code: 'calendar' });
          expect(readCalendarTime(`${date}T10:00Z`)).toMatchObject({ code: 'calendar' });
          expect(validCalendarParts(year, month, day)).toBe(false);
          expect(validCalendarParts(year, month, day - past)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
