import iconv from 'iconv-lite';
import type { BadInputCase } from './case-types.js';

/**
 * The idle-Reader paths (issue 13): `inactive` arguments (and asking for more days than the
 * activity record covers: the corpus's sandbox never ran `activity sync`, so it covers none),
 * `activity sync --days`, and bad `activity import --csv` files. None may delete anything.
 */

const DAYS_MESSAGE = 'must be a whole number of days from 1 to 90';

function inactive(id: string, args: readonly string[], message: string): BadInputCase {
  return {
    id: `arg-inactive-${id}`,
    group: 'argument',
    argv: ['inactive', ...args, '--apply'],
    code: 2,
    message,
  };
}

function activityImport(
  id: string,
  content: string | Uint8Array,
  code: number,
  message: BadInputCase['message'],
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return {
    id: `csv-activity-${id}`,
    group: 'csv',
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv'],
    files: { 'activity.csv': content },
    code,
    message,
    ...extra,
  };
}

export const IDLE_CASES: BadInputCase[] = [
  inactive('days-0', ['--days', '0'], `--days ${DAYS_MESSAGE} (got 0)`),
  inactive('days-exponent', ['--days', '1e3'], `--days ${DAYS_MESSAGE} (got 1e3)`),
  inactive('days-small-exponent', ['--days', '1e1'], `--days ${DAYS_MESSAGE} (got 1e1)`),
  inactive('days-hex', ['--days', '0x10'], `--days ${DAYS_MESSAGE} (got 0x10)`),
  inactive('days-91', ['--days', '91'], `--days ${DAYS_MESSAGE} (got 91)`),
  inactive('warn-days-negative', ['--warn-days=-1'], `--warn-days ${DAYS_MESSAGE} (got -1)`),
  {
    ...inactive('more-days-than-recorded', ['--days', '30'], 'asked for 30 days without activity'),
    message: ['asked for 30 days without activity', 'idsync activity sync'],
    spawn: true,
  },
  {
    id: 'arg-activity-sync-days-91',
    group: 'argument',
    argv: ['activity', 'sync', '--days', '91'],
    code: 2,
    message: '--days must be a whole number from 1 to 90 (the history CloudTrail keeps); got "91"',
  },
  {
    id: 'arg-activity-sync-days-hex',
    group: 'argument',
    argv: ['activity', 'sync', '--days', '0x10'],
    code: 2,
    message:
      '--days must be a whole number from 1 to 90 (the history CloudTrail keeps); got "0x10"',
  },
  {
    id: 'arg-apply-max-deletions-hex',
    group: 'argument',
    argv: ['apply', '--max-deletions', '0x5'],
    code: 2,
    message: '--max-deletions must be a whole number of 0 or more (got 0x5)',
  },
  activityImport(
    'no-last-active-column',
    'email\n{leaver}\n',
    2,
    'the CSV header has no "last_active" column',
    { spawn: true },
  ),
  activityImport('bad-date', 'email,last_active\n{leaver},yesterday\n', 4, [
    'line 2: not an ISO-8601 time or yyyy-mm-dd date: "yesterday"',
    '0 records written',
  ]),
  activityImport(
    'impossible-date',
    'email,last_active\n{leaver},2026-02-30\n',
    4,
    'line 2: not a date: "2026-02-30"',
  ),
  activityImport('future-date', 'email,last_active\n{leaver},2999-01-01\n', 4, [
    'line 2: 2999-01-01 is after the import',
    '0 records written',
  ]),
  activityImport(
    'time-without-zone',
    'email,last_active\n{leaver},2026-09-14T10:20:00\n',
    4,
    'line 2: "2026-09-14T10:20:00" has no time zone: add Z or +hh:mm',
  ),
  activityImport(
    'binary',
    new Uint8Array([0, 255, 254, 10, 1, 2, 3, 0, 10]),
    2,
    'the CSV holds NUL bytes',
  ),
  activityImport(
    'cp932-bad-date',
    new Uint8Array(
      iconv.encode('email,last_active\r\nｙａｍａｄａ＠example.com,昨日\r\n', 'cp932'),
    ),
    4,
    [
      'read activity.csv as Shift_JIS (CP932)',
      'line 2: not an ISO-8601 time or yyyy-mm-dd date: "昨日"',
    ],
  ),
];
