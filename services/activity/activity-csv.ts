import type { ActivityDelta } from '../../shared/activity-record.js';
import { activityKey, activityUserName } from '../../shared/activity-record.js';
import type { CsvEncoding } from '../../shared/csv-encoding-names.js';
import {
  type CsvDataRow,
  type CsvRowError,
  findColumn,
  missingColumn,
  readCsvTable,
  readEmailCell,
  shortenCell,
} from '../../shared/csv-rows.js';
import type { QuickSightUser } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';
import { buildQuickSightIndex } from '../../shared/quicksight-matching.js';

/**
 * `idsync activity import --csv FILE` (pure): a console or spreadsheet export with a column
 * `email` or `username` (`user name`, `user_name`) and a column `last_active` (`last active`),
 * read with the tolerance of `remove --csv` (shared/csv-rows.ts: BOM, full-width characters,
 * spaces, blank lines, duplicates), every bad line reported with its line number and why.
 *
 * `last_active` is ISO-8601 with a time zone (`2026-09-14T10:20:00Z`, `…+02:00`) or a date
 * `yyyy-mm-dd`. A date alone counts as the latest instant that date exists anywhere on Earth
 * (23:59:59.999 at UTC−12, i.e. 11:59:59.999Z the next day), capped at the time of the
 * import: a date never makes anyone look idler than they are. A time without a zone is
 * refused (ambiguous), as is a time after the import. A person or user listed twice keeps the
 * newest date.
 *
 * An `email` row stands for every QuickSight user of that person in the newest COMPLETE
 * snapshot (the matching rule of shared/quicksight-matching.ts); an email with none is a bad line.
 * Each user gets the evidence "last active at L, nothing since up to the import": activity at
 * L (source `import`, event `LastActive`) and the span `import` = [L, imported at].
 */

export const IMPORT_EVENT_NAME = 'LastActive';

export interface ImportRow {
  readonly line: number;
  readonly email?: string;
  readonly userName?: string;
  readonly lastActive: string;
}

export interface ActivityCsv {
  readonly rows: ImportRow[];
  readonly errors: CsvRowError[];
  readonly duplicates: number;
  readonly keyColumn: 'email' | 'username';
  /** The encoding the file was read as (shared/csv-encoding.ts); absent for text input. */
  readonly encoding?: CsvEncoding;
}

const EMAIL_NAMES = ['email', 'e-mail'];
const USER_NAMES = ['username', 'user name', 'user_name'];
const LAST_ACTIVE_NAMES = ['last_active', 'last active', 'lastactive'];

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** When a `last_active` cell says the user was last active, or why it cannot be read. */
export function parseLastActive(
  raw: string,
  importedAtMs: number,
): { at: string } | { problem: string } {
  const cell = raw.normalize('NFKC').trim();
  if (cell.length === 0) return { problem: 'last_active is empty' };
  const date = DATE_ONLY.exec(cell);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const start = Date.UTC(y, m - 1, d);
    const check = new Date(start);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
      return { problem: `not a date: ${JSON.stringify(cell)}` };
    if (start > importedAtMs) return { problem: `${cell} is after the import` };
    // The last instant of that date at UTC−12.
    const latest = start + 86_400_000 + 12 * 3_600_000 - 1;
    return { at: new Date(Math.min(latest, importedAtMs)).toISOString() };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(cell) && !ISO_WITH_ZONE.test(cell))
    return { problem: `${JSON.stringify(cell)} has no time zone: add Z or +hh:mm` };
  if (!ISO_WITH_ZONE.test(cell))
    return {
      problem: `not an ISO-8601 time or yyyy-mm-dd date: ${JSON.stringify(shortenCell(cell))}`,
    };
  const ms = Date.parse(cell.toUpperCase());
  if (!Number.isFinite(ms)) return { problem: `not a time: ${JSON.stringify(cell)}` };
  if (ms > importedAtMs) return { problem: `${cell} is after the import` };
  return { at: new Date(ms).toISOString() };
}

/** Reads the CSV: rows (one per person or user, newest date kept) and bad lines. */
export function parseActivityCsv(input: string | Uint8Array, importedAtMs: number): ActivityCsv {
  const { header, rows, encoding } = readCsvTable(
    input,
    'an "email" or "username" column and a "last_active" column',
  );
  const emailAt = findColumn(header, EMAIL_NAMES);
  const userAt = emailAt >= 0 ? -1 : findColumn(header, USER_NAMES);
  if (emailAt < 0 && userAt < 0) throw missingColumn(header, '"email" or "username"');
  const lastAt = findColumn(header, LAST_ACTIVE_NAMES);
  if (lastAt < 0) throw missingColumn(header, '"last_active"');
  const keyAt = emailAt >= 0 ? emailAt : userAt;
  const byKey = new Map<string, ImportRow>();
  const errors: CsvRowError[] = [];
  let duplicates = 0;
  for (const csvRow of rows) {
    const { line, record } = csvRow;
    const cell = record[keyAt] ?? '';
    const read = emailAt >= 0 ? readEmailCell(csvRow, keyAt) : readUserNameCell(csvRow, keyAt);
    if ('error' in read) {
      errors.push(read.error);
      continue;
    }
    const key = 'email' in read ? read.email : read.key;
    const when = parseLastActive(record[lastAt] ?? '', importedAtMs);
    if ('problem' in when) {
      errors.push({ line, value: shortenCell(record[lastAt] ?? ''), reason: when.problem });
      continue;
    }
    const row: ImportRow =
      emailAt >= 0
        ? { line, email: key, lastActive: when.at }
        : { line, userName: cell.normalize('NFKC').trim(), lastActive: when.at };
    const known = byKey.get(key);
    if (known) {
      duplicates++;
      if (row.lastActive > known.lastActive) byKey.set(key, row);
    } else byKey.set(key, row);
  }
  return {
    rows: [...byKey.values()].sort((a, b) => a.line - b.line),
    errors,
    duplicates,
    keyColumn: emailAt >= 0 ? 'email' : 'username',
    ...(encoding ? { encoding } : {}),
  };
}

/** A `username` cell as the key rows are told apart by (normalised as emails are), or its error. */
function readUserNameCell(
  row: CsvDataRow,
  column: number,
): { readonly key: string } | { readonly error: CsvRowError } {
  const cell = row.record[column] ?? '';
  const reason =
    row.record.length <= column
      ? 'the row has no "username" cell'
      : normalizeEmail(cell).length === 0
        ? 'the username is empty'
        : undefined;
  return reason === undefined
    ? { key: normalizeEmail(cell) }
    : { error: { line: row.line, value: shortenCell(cell), reason } };
}

/**
 * The evidence of the rows: one delta per QuickSight user. Email rows resolve through the
 * snapshot's QuickSight users (undefined: no COMPLETE snapshot, every email row is a bad line);
 * user-name rows take the snapshot's spelling when it lists the user.
 */
export function importDeltas(
  csv: ActivityCsv,
  quickSightUsers: readonly QuickSightUser[] | undefined,
  namespace: string,
  importedAt: string,
): { deltas: ActivityDelta[]; errors: CsvRowError[]; users: number } {
  const index = quickSightUsers ? buildQuickSightIndex(quickSightUsers) : undefined;
  const byName = new Map(
    (quickSightUsers ?? []).map((u) => [normalizeEmail(u.userName), activityUserName(u)]),
  );
  const deltas = new Map<string, ActivityDelta>();
  const errors: CsvRowError[] = [];
  for (const row of csv.rows) {
    let names: string[];
    if (row.email !== undefined) {
      if (!index) {
        errors.push({
          line: row.line,
          value: row.email,
          reason:
            'no COMPLETE snapshot to find the QuickSight users of an email: run idsync snapshot first',
        });
        continue;
      }
      names = index.lookup(row.email).map(activityUserName);
      if (names.length === 0) {
        errors.push({
          line: row.line,
          value: row.email,
          reason: 'no QuickSight user of this email in the newest COMPLETE snapshot',
        });
        continue;
      }
    } else {
      const name = row.userName as string;
      names = [byName.get(normalizeEmail(name)) ?? name];
    }
    for (const userName of names) {
      const key = activityKey(namespace, userName);
      const known = deltas.get(key);
      if (known?.newest && known.newest.at >= row.lastActive) continue;
      deltas.set(key, {
        namespace,
        userName,
        newest: { at: row.lastActive, eventName: IMPORT_EVENT_NAME, source: 'import' },
        spans: { import: { from: row.lastActive, to: importedAt } },
      });
    }
  }
  return { deltas: [...deltas.values()], errors, users: deltas.size };
}
