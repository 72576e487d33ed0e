import type { ActivityDelta } from '../../shared/activity-record.js';
import { activityKey, activityUserName } from '../../shared/activity-record.js';
import { type CalendarTime, readCalendarTime } from '../../shared/calendar-time.js';
import type { CsvEncoding } from '../../shared/csv-encoding-names.js';
import {
  type CsvDataRow,
  type CsvInput,
  type CsvRowError,
  findColumn,
  missingColumn,
  openCsvTable,
  readEmailCell,
  shortenCell,
} from '../../shared/csv-rows.js';
import type { QuickSightUser } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';
import { UsageError } from '../../shared/errors.js';
import { buildQuickSightIndex } from '../../shared/quicksight-user-rules.js';

/**
 * `idsync activity import --csv FILE --as-of DATE` (pure but for the stream it reads): a console
 * or spreadsheet export taken at `--as-of`, with a column `email` or `username` (`user name`,
 * `user_name`) and a column `last_active` (`last active`), read with the tolerance of
 * `remove --csv` (shared/csv-rows.ts: BOM, full-width characters, spaces, blank lines,
 * duplicates) as a stream, every refused line reported with its line number and why.
 *
 * An import is dated evidence: "user U was last active at L, and did nothing else up to the
 * export's date". So each user gets the activity L (source `import`, event `LastActive`) and the
 * span `import` = [L, as-of]: never past `--as-of`, whenever the file is imported. Dates are
 * read strictly (shared/calendar-time.ts); `checkLastActive` is the row's rule.
 *
 * A row is refused (counted by reason) when its user cell is unusable, when it names no
 * QuickSight user of the newest COMPLETE snapshot (an `email` row stands for every QuickSight
 * user of that person, shared/quicksight-user-rules.ts; a `username` row for the user of that
 * name), or when its date is unreadable, off the calendar, before QuickSight existed or after
 * `--as-of`. A user named twice keeps the newest date.
 */

export const IMPORT_EVENT_NAME = 'LastActive';

/** QuickSight did not exist before 2015: no activity, and no export, is older. */
export const EARLIEST_EVIDENCE = '2015-01-01T00:00:00.000Z';
const EARLIEST_EVIDENCE_MS = Date.parse(EARLIEST_EVIDENCE);

/** How far past this machine's clock `--as-of` may be (clocks differ by a little). */
export const AS_OF_CLOCK_SKEW_MS = 5 * 60_000;

/** Why a row was refused. */
export type RefusalReason =
  | 'bad_user'
  | 'unknown_user'
  | 'unreadable_date'
  | 'impossible_date'
  | 'before_2015'
  | 'after_as_of';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'bad_user',
  'unknown_user',
  'unreadable_date',
  'impossible_date',
  'before_2015',
  'after_as_of',
];

export interface ImportRefusal extends CsvRowError {
  readonly why: RefusalReason;
}

/** The export's date: every instant it may mean (one, for a time with a zone). */
export interface ImportAsOf {
  readonly text: string;
  readonly earliest: number;
  readonly latest: number;
}

/** Reads `--as-of`; a UsageError (exit 2) when it is missing, unreadable, too old or ahead of now. */
export function readAsOf(raw: string | undefined, nowMs: number): ImportAsOf {
  if (raw === undefined || raw.trim() === '') {
    throw new UsageError(
      'activity import needs --as-of DATE: the date the export was taken (2026-11-30 or 2026-11-30T09:00Z); an import proves nothing after it',
    );
  }
  const read = readCalendarTime(raw);
  if ('problem' in read) throw new UsageError(`--as-of: ${read.problem}`);
  const text = raw.normalize('NFKC').trim();
  if (nominal(read, text) < EARLIEST_EVIDENCE_MS)
    throw new UsageError(`--as-of ${text} is before 2015 (QuickSight did not exist)`);
  if (read.earliest > nowMs + AS_OF_CLOCK_SKEW_MS)
    throw new UsageError(`--as-of ${text} is in the future: give the date the export was taken`);
  return { text, earliest: read.earliest, latest: read.latest };
}

/**
 * The row's date rule: when a `last_active` cell says the user was last active, or why the row
 * is refused. A date alone counts as the latest instant that date exists anywhere on Earth
 * (it never makes anyone look idler than they are), capped at `--as-of` and at now; it is
 * refused when it is off the calendar (2026-02-30, 24:00), has a time without a zone, lies
 * before 2015-01-01, or after `--as-of`.
 */
export function checkLastActive(
  raw: string,
  asOf: ImportAsOf,
  nowMs: number,
): { readonly at: string } | { readonly why: RefusalReason; readonly problem: string } {
  const read = readCalendarTime(raw);
  if ('problem' in read) {
    if (read.code === 'empty') return { why: 'unreadable_date', problem: 'last_active is empty' };
    return {
      why: read.code === 'calendar' ? 'impossible_date' : 'unreadable_date',
      problem: read.problem,
    };
  }
  const text = raw.normalize('NFKC').trim();
  if (nominal(read, text) < EARLIEST_EVIDENCE_MS)
    return { why: 'before_2015', problem: `${text} is before 2015 (QuickSight did not exist)` };
  if (read.earliest > asOf.latest)
    return { why: 'after_as_of', problem: `${text} is after --as-of ${asOf.text}` };
  return { at: new Date(Math.min(read.latest, asOf.latest, nowMs)).toISOString() };
}

/** The instant a date or time names in UTC (a date: its UTC midnight), for the 2015 floor. */
function nominal(read: Exclude<CalendarTime, { problem: string }>, text: string): number {
  return read.kind === 'date' ? Date.parse(`${text}T00:00:00Z`) : read.earliest;
}

/** What the import makes of its file. */
export interface ActivityImport {
  readonly keyColumn: 'email' | 'username';
  /** The encoding the file was read as (shared/csv-encoding.ts); absent for text input. */
  readonly encoding?: CsvEncoding;
  /** Rows read (not blank). */
  readonly rows: number;
  /** Rows naming a user or person an earlier accepted row already named. */
  readonly duplicates: number;
  /** One delta per QuickSight user. */
  readonly deltas: ActivityDelta[];
  /** Refused rows by reason. */
  readonly refused: Readonly<Record<RefusalReason, number>>;
  /** The first `keepErrors` refused rows. */
  readonly errors: ImportRefusal[];
  readonly errorCount: number;
}

export interface ActivityImportOptions {
  readonly asOf: ImportAsOf;
  readonly nowMs: number;
  /** QuickSight users of the newest COMPLETE snapshot. */
  readonly users: readonly QuickSightUser[];
  readonly namespace: string;
  /** Refused rows kept in `errors` (default: all). */
  readonly keepErrors?: number;
  /** Called with every refused row, in file order (e.g. to write its audit row). */
  readonly onRefused?: (error: ImportRefusal) => void | Promise<void>;
}

const EMAIL_NAMES = ['email', 'e-mail'];
const USER_NAMES = ['username', 'user name', 'user_name'];
const LAST_ACTIVE_NAMES = ['last_active', 'last active', 'lastactive'];

/**
 * Reads the export as a stream: each row is checked and resolved as it comes; what is kept is
 * one delta per QuickSight user and the first refused rows, never the file.
 */
export async function readActivityCsv(
  input: CsvInput,
  options: ActivityImportOptions,
): Promise<ActivityImport> {
  const table = await openCsvTable(
    input,
    'an "email" or "username" column and a "last_active" column',
  );
  try {
    const emailAt = findColumn(table.header, EMAIL_NAMES);
    const userAt = emailAt >= 0 ? -1 : findColumn(table.header, USER_NAMES);
    if (emailAt < 0 && userAt < 0) throw missingColumn(table.header, '"email" or "username"');
    const lastAt = findColumn(table.header, LAST_ACTIVE_NAMES);
    if (lastAt < 0) throw missingColumn(table.header, '"last_active"');
    const rows = new ImportRows(
      emailAt >= 0 ? 'email' : 'username',
      emailAt >= 0 ? emailAt : userAt,
      lastAt,
      options,
    );
    for await (const batch of table.rows) {
      for (const row of batch) {
        const refusal = rows.add(row);
        if (refusal) await options.onRefused?.(refusal);
      }
    }
    const encoding = table.encoding();
    return { ...rows.result(), ...(encoding ? { encoding } : {}) };
  } finally {
    await table.close();
  }
}

/** The per-row rule of an import: check, resolve, keep the newest date per user. */
class ImportRows {
  private readonly index;
  private readonly byName: Map<string, string>;
  private readonly deltas = new Map<string, ActivityDelta>();
  private readonly seen = new Set<string>();
  private readonly refused = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<
    RefusalReason,
    number
  >;
  private readonly errors: ImportRefusal[] = [];
  private errorCount = 0;
  private rows = 0;
  private duplicates = 0;
  private readonly spanEnd: number;

  constructor(
    private readonly keyColumn: 'email' | 'username',
    private readonly keyAt: number,
    private readonly lastAt: number,
    private readonly options: ActivityImportOptions,
  ) {
    this.index = buildQuickSightIndex(options.users);
    this.byName = new Map(
      options.users.map((u) => [normalizeEmail(u.userName), activityUserName(u)]),
    );
    // The export proves nothing after the earliest instant its date may mean.
    this.spanEnd = Math.min(options.asOf.earliest, options.nowMs);
  }

  add(row: CsvDataRow): ImportRefusal | undefined {
    this.rows++;
    const user = this.users(row);
    if ('why' in user) return this.refuse(user);
    const cell = row.record[this.lastAt] ?? '';
    const when = checkLastActive(cell, this.options.asOf, this.options.nowMs);
    if ('why' in when)
      return this.refuse({
        line: row.line,
        value: shortenCell(cell),
        reason: when.problem,
        why: when.why,
      });
    if (this.seen.has(user.key)) this.duplicates++;
    else this.seen.add(user.key);
    const atMs = Date.parse(when.at);
    for (const userName of user.names) {
      const key = activityKey(this.options.namespace, userName);
      const known = this.deltas.get(key);
      if (known?.newest && known.newest.at >= when.at) continue;
      this.deltas.set(key, {
        namespace: this.options.namespace,
        userName,
        newest: { at: when.at, eventName: IMPORT_EVENT_NAME, source: 'import' },
        // Activity at or after the span's end leaves no "nothing since" to claim.
        ...(atMs < this.spanEnd
          ? { spans: { import: { from: when.at, to: new Date(this.spanEnd).toISOString() } } }
          : {}),
      });
    }
    return undefined;
  }

  result(): ActivityImport {
    return {
      keyColumn: this.keyColumn,
      rows: this.rows,
      duplicates: this.duplicates,
      deltas: [...this.deltas.values()],
      refused: { ...this.refused },
      errors: this.errors,
      errorCount: this.errorCount,
    };
  }

  /** The QuickSight users a row names (and the key rows are told apart by), or why none. */
  private users(row: CsvDataRow): { key: string; names: string[] } | ImportRefusal {
    const cell = row.record[this.keyAt] ?? '';
    if (this.keyColumn === 'email') {
      const read = readEmailCell(row, this.keyAt);
      if ('error' in read) return { ...read.error, why: 'bad_user' };
      const names = this.index.lookup(read.email).map(activityUserName);
      if (names.length === 0)
        return {
          line: row.line,
          value: read.email,
          reason: 'no QuickSight user of this email in the newest COMPLETE snapshot',
          why: 'unknown_user',
        };
      return { key: read.email, names };
    }
    const key = normalizeEmail(cell);
    if (row.record.length <= this.keyAt || key.length === 0)
      return {
        line: row.line,
        value: shortenCell(cell),
        reason:
          row.record.length <= this.keyAt
            ? 'the row has no "username" cell'
            : 'the username is empty',
        why: 'bad_user',
      };
    const name = this.byName.get(key);
    if (name === undefined)
      return {
        line: row.line,
        value: shortenCell(cell),
        reason: 'no QuickSight user of this name in the newest COMPLETE snapshot',
        why: 'unknown_user',
      };
    return { key, names: [name] };
  }

  private refuse(refusal: ImportRefusal): ImportRefusal {
    this.refused[refusal.why]++;
    this.errorCount++;
    if (this.errors.length < (this.options.keepErrors ?? Number.POSITIVE_INFINITY))
      this.errors.push(refusal);
    return refusal;
  }
}
