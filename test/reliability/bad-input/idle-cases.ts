import iconv from 'iconv-lite';
import type { BadInputCase } from './case-types.js';

/**
 * The idle-Reader paths: `inactive` arguments (and asking for more days than the
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

/** The date of the corpus's exports. */
const AS_OF = '2026-11-30T00:00:00Z';

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
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv', '--as-of', AS_OF],
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
    // An export of an account or namespace idsync does not manage names and covers nobody.
    ...activityImport('unknown-scope', 'email,last_active\na@example.com,2026-11-01\n', 2, [
      'activity import: --scope 999999999999/sales is none of the configured scopes',
    ]),
    argv: [
      'activity',
      'import',
      '--csv',
      '{dir}/activity.csv',
      '--as-of',
      AS_OF,
      '--scope',
      '999999999999/sales',
    ],
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
    'line 2: "yesterday" is not an ISO-8601 time or yyyy-mm-dd date',
    '0 records written',
  ]),
  activityImport('impossible-date', 'email,last_active\n{leaver},2026-02-30\n', 4, [
    'line 2: "2026-02-30" is not a day of the calendar',
    '1 impossible date',
  ]),
  activityImport('impossible-time', 'email,last_active\n{leaver},2026-02-30T10:00Z\n', 4, [
    'line 2: "2026-02-30T10:00Z" is not a time of the calendar',
    '0 records written',
  ]),
  activityImport(
    'hour-24',
    'email,last_active\n{leaver},2026-11-01T24:00Z\n',
    4,
    'line 2: "2026-11-01T24:00Z" is not a time of the calendar',
  ),
  activityImport('month-13', 'email,last_active\n{leaver},2026-13-01\n', 4, [
    'line 2: "2026-13-01" is not a day of the calendar',
  ]),
  activityImport('before-2015', 'email,last_active\n{leaver},1970-01-01\n', 4, [
    'line 2: 1970-01-01 is before 2015 (QuickSight did not exist)',
    '1 before 2015',
  ]),
  activityImport('future-date', 'email,last_active\n{leaver},2999-01-01\n', 4, [
    `line 2: 2999-01-01 is after --as-of ${AS_OF}`,
    '0 records written',
  ]),
  activityImport('unknown-email', 'email,last_active\nnobody.ever@example.com,2026-11-01\n', 4, [
    'line 2: no QuickSight user of this email in the newest COMPLETE snapshot',
    '1 unknown user',
  ]),
  activityImport('unknown-user-name', 'username,last_active\nghost-user-name,2026-11-01\n', 4, [
    'line 2: no QuickSight user of this name in the newest COMPLETE snapshot',
    '0 records written',
  ]),
  activityImport(
    'time-without-zone',
    'email,last_active\n{leaver},2026-09-14T10:20:00\n',
    4,
    'line 2: "2026-09-14T10:20:00" has no time zone: add Z or +hh:mm',
  ),
  {
    id: 'arg-activity-import-without-as-of',
    group: 'argument',
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv'],
    files: { 'activity.csv': 'email,last_active\n{leaver},2026-11-01\n' },
    code: 2,
    message: 'activity import needs --as-of DATE',
    spawn: true,
  },
  {
    id: 'arg-activity-import-as-of-future',
    group: 'argument',
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv', '--as-of', '2999-01-01'],
    files: { 'activity.csv': 'email,last_active\n{leaver},2026-11-01\n' },
    code: 2,
    message: '--as-of 2999-01-01 is in the future',
  },
  {
    id: 'arg-activity-import-as-of-before-2015',
    group: 'argument',
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv', '--as-of', '2014-12-31'],
    files: { 'activity.csv': 'email,last_active\n{leaver},2026-11-01\n' },
    code: 2,
    message: '--as-of 2014-12-31 is before 2015',
  },
  {
    id: 'arg-activity-import-as-of-impossible',
    group: 'argument',
    argv: ['activity', 'import', '--csv', '{dir}/activity.csv', '--as-of', '2026-02-30'],
    files: { 'activity.csv': 'email,last_active\n{leaver},2026-11-01\n' },
    code: 2,
    message: '--as-of: "2026-02-30" is not a day of the calendar',
  },
  activityImport(
    'binary',
    new Uint8Array([0, 255, 254, 10, 1, 2, 3, 0, 10]),
    2,
    'the CSV holds NUL bytes',
  ),
  activityImport(
    'cp932-full-width-unknown-user',
    new Uint8Array(
      iconv.encode('email,last_active\r\nｙａｍａｄａ＠example.com,昨日\r\n', 'cp932'),
    ),
    4,
    [
      'read activity.csv as Shift_JIS (CP932)',
      'line 2: no QuickSight user of this email in the newest COMPLETE snapshot ("yamada@example.com")',
    ],
  ),
];
