/**
 * Reading a date or time an operator wrote (a CSV cell, a flag), strictly: ISO-8601 `yyyy-mm-dd`
 * or `yyyy-mm-ddThh:mm[:ss[.fff]]` with `Z` or `±hh:mm`. Every part must exist on the calendar
 * and the clock: `Date.parse` would roll 2026-02-30 over to 2 March and 24:00 to the next day;
 * here they are refused. Pure.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WITH_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/i;

const HOUR_MS = 3_600_000;
/** Clocks on Earth run from UTC−12 to UTC+14. */
const EARLIEST_OFFSET_H = 14;
const LATEST_OFFSET_H = 12;

/** Whether a year, month (1–12), day, hour, minute and second name a real moment (no leap seconds). */
export function validCalendarParts(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): boolean {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return false;
  if (day > daysInMonth(year, month)) return false;
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60;
}

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * What a cell says, as instants (ms since the epoch): a time with a zone is one instant
 * (`earliest === latest`); a date alone is every instant that date exists somewhere on Earth,
 * from its start at UTC+14 to its end at UTC−12.
 */
export type CalendarTime =
  | { readonly kind: 'instant'; readonly earliest: number; readonly latest: number }
  | { readonly kind: 'date'; readonly earliest: number; readonly latest: number }
  | { readonly problem: string; readonly code: CalendarProblem };

/** Why a text is not a time: empty, not the ISO form, off the calendar or clock, or no zone. */
export type CalendarProblem = 'empty' | 'form' | 'calendar' | 'zone';

/** Reads a date or a time with its zone (see the file comment), or says why it cannot. */
export function readCalendarTime(raw: string): CalendarTime {
  const text = raw.normalize('NFKC').trim();
  if (text.length === 0) return { problem: 'empty', code: 'empty' };
  const date = DATE_ONLY.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validCalendarParts(y, m, d))
      return { problem: `${JSON.stringify(text)} is not a day of the calendar`, code: 'calendar' };
    const start = utc(y, m, d, 0, 0, 0, 0);
    return {
      kind: 'date',
      earliest: start - EARLIEST_OFFSET_H * HOUR_MS,
      latest: start + (24 + LATEST_OFFSET_H) * HOUR_MS - 1,
    };
  }
  const time = WITH_TIME.exec(text);
  if (!time) {
    return {
      problem: `${JSON.stringify(shorten(text))} is not an ISO-8601 time or yyyy-mm-dd date`,
      code: 'form',
    };
  }
  const [y, m, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(time[i]));
  const s = Number(time[6] ?? 0);
  if (!validCalendarParts(y as number, m as number, d as number, h, mi, s))
    return { problem: `${JSON.stringify(text)} is not a time of the calendar`, code: 'calendar' };
  if (time[8] === undefined && time[9] === undefined)
    return { problem: `${JSON.stringify(text)} has no time zone: add Z or +hh:mm`, code: 'zone' };
  const offsetH = Number(time[10] ?? 0);
  const offsetMin = Number(time[11] ?? 0);
  const sign = time[9] === '-' ? -1 : 1;
  if (
    offsetMin >= 60 ||
    offsetH > (sign < 0 ? LATEST_OFFSET_H : EARLIEST_OFFSET_H) ||
    (offsetH === 14 && offsetMin > 0)
  )
    return { problem: `${JSON.stringify(text)} has no such time zone offset`, code: 'zone' };
  const ms = Number((time[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const local = utc(y as number, m as number, d as number, h as number, mi as number, s, ms);
  const at = local - sign * (offsetH * 60 + offsetMin) * 60_000;
  return { kind: 'instant', earliest: at, latest: at };
}

function utc(y: number, m: number, d: number, h: number, mi: number, s: number, ms: number) {
  const t = new Date(Date.UTC(y, m - 1, d, h, mi, s, ms));
  // Date.UTC reads years 0–99 as 1900–1999.
  if (y < 100) t.setUTCFullYear(y);
  return t.getTime();
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
