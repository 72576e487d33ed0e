import { validCalendarParts } from '../../shared/calendar-time.js';
import { UsageError } from '../../shared/errors.js';

/**
 * `--since` values: an ISO date (`2026-11-27`, midnight UTC), an ISO date and time
 * (`2026-11-27T09:00Z`, `2026-11-27T09:00:00.000+01:00`; without an offset it is local time), or
 * a time back from now (`30m`, `24h`, `7d`, `2w`). Pure: `now` is given.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const RELATIVE = /^(\d{1,6})\s*([mhdw])$/i;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** The instant a `--since` value means, as a canonical ISO string (what audit rows' `at` use). */
export function parseSince(value: string, now: Date, flag = '--since'): string {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const ms = Number(relative[1]) * (UNIT_MS[(relative[2] as string).toLowerCase()] ?? 0);
    return new Date(now.getTime() - ms).toISOString();
  }
  const iso = ISO.exec(text);
  if (iso && validParts(iso)) {
    const dateOnly = iso[4] === undefined;
    const t = Date.parse(dateOnly ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(value)}: expected an ISO date or time (2026-11-27, 2026-11-27T09:00Z) or a time back from now (30m, 24h, 7d, 2w)`,
  );
}

/** Month, day and time in range (Date.parse would roll 2026-02-30 over to 2 March). */
function validParts(m: RegExpExecArray): boolean {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validCalendarParts(
    year,
    month,
    day,
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
}

/** How far back a time query reads when the audit table's creation time cannot be read: 3 years. */
export const MAX_SINCE_DAYS = 3 * 366;

/**
 * Bounds a `--since` instant to the days the audit can hold: not before the audit table was
 * created (no row is older), and not more than MAX_SINCE_DAYS back when that is unknown. Says so
 * in `note` when it moved the instant, or when the instant is in the future (no row can match).
 */
export function boundSince(
  since: string,
  tableCreatedAt: Date | undefined,
  now: Date,
): { since: string; note?: string } {
  // A table "created" after now means the clocks disagree: then only the fixed cap applies.
  const created = tableCreatedAt && tableCreatedAt <= now ? tableCreatedAt : undefined;
  const floor = created
    ? new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth(), created.getUTCDate()))
    : new Date(now.getTime() - MAX_SINCE_DAYS * 86_400_000);
  if (since > now.toISOString())
    return { since, note: `--since ${since} is in the future: no audit rows can match` };
  if (since >= floor.toISOString()) return { since };
  const from = floor.toISOString();
  return {
    since: from,
    note: created
      ? `--since ${since.slice(0, 10)} is before the audit table was created; reading from ${from.slice(0, 10)}`
      : `--since ${since.slice(0, 10)} is more than ${MAX_SINCE_DAYS} days back; reading from ${from.slice(0, 10)}`,
  };
}
