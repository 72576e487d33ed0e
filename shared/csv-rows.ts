import { parse } from 'csv-parse/sync';
import { type CsvEncoding, decodeCsvBytes } from './csv-encoding.js';
import { isValidEmail, normalizeEmail } from './email.js';
import { UsageError } from './errors.js';
import { emailProblem as unsafeEmailReason } from './input-values.js';

/**
 * Reading an operator's CSV (a spreadsheet or console export), shared by `remove --csv` and
 * `activity import --csv`: UTF-8 with or without a BOM, UTF-16 with a BOM, or Shift_JIS (CP932),
 * told apart by shared/csv-encoding.ts (anything else is refused naming those), any line endings, quoted fields, blank lines skipped, every data row with the
 * 1-based line of the file it starts on. Column names compare after NFKC, trim and lower-casing.
 */

export interface CsvDataRow {
  /** 1-based line in the file where the row starts. */
  readonly line: number;
  readonly record: readonly string[];
}

/** A row that cannot be used: where it is, what it says and why. */
export interface CsvRowError {
  /** 1-based line in the file where the row starts. */
  readonly line: number;
  /** The cell as written (shortened when very long). */
  readonly value: string;
  readonly reason: string;
}

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly CsvDataRow[];
  /** The encoding the bytes were read as (absent when the input was already text). */
  readonly encoding?: CsvEncoding;
}

const MAX_VALUE_LENGTH = 120;

interface CsvRow {
  readonly record: string[];
  /** UTF-8 bytes read when the record ended (its delimiter included). */
  readonly info: { readonly bytes: number };
}

/** The header and non-blank data rows of a CSV; throws a UsageError when it has no header. */
export function readCsvTable(input: string | Uint8Array, expected: string): CsvTable {
  const { text, encoding } = decode(input);
  const bytes = Buffer.from(text, 'utf8');
  const rows = readRows(bytes, delimiterOf(text, encoding));
  const lineAt = lineCounter(bytes);
  const headerAt = rows.findIndex((row) => !isBlank(row.record));
  const header = rows[headerAt];
  if (header === undefined) {
    throw new UsageError(`the CSV is empty: expected a header line with ${expected}`);
  }
  const data: CsvDataRow[] = [];
  let start = header.info.bytes;
  for (const { record, info } of rows.slice(headerAt + 1)) {
    const line = lineAt(start);
    start = info.bytes;
    if (!isBlank(record)) data.push({ line, record });
  }
  return { header: header.record, rows: data, ...(encoding ? { encoding } : {}) };
}

/** Index of the first header column named one of `names` (normalised), or -1. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  const normalised = header.map((name) => normalizeEmail(name.replace(/^\uFEFF/, '')));
  for (const name of names) {
    const index = normalised.indexOf(name);
    if (index >= 0) return index;
  }
  return -1;
}

/** The UsageError for a header without the columns wanted, naming what it has. */
export function missingColumn(header: readonly string[], what: string): UsageError {
  const found = header.map((name) => JSON.stringify(shortenCell(name))).join(', ');
  const hint =
    header.length === 1 && /[;\t]/.test(header[0] ?? '')
      ? ' (is it separated by ";" or tabs? use commas)'
      : '';
  return new UsageError(
    `the CSV header has no ${what} column${hint}; found: ${found || 'nothing'}`,
  );
}

/** Why a normalised email cell is unusable, or undefined when it is a valid email. */
export function emailProblem(
  email: string,
  hasCell: boolean,
  column = 'email',
): string | undefined {
  if (!hasCell) return `the row has no "${column}" cell`;
  if (email.length === 0) return 'the email is empty';
  const unsafe = unsafeEmailReason(email);
  if (unsafe !== undefined) return unsafe;
  if (!isValidEmail(email)) return `not a valid email address (read as ${JSON.stringify(email)})`;
  return undefined;
}

/** The normalised email in `column` of a row, or the row's error (the cell as written, and why). */
export function readEmailCell(
  row: CsvDataRow,
  column: number,
): { readonly email: string } | { readonly error: CsvRowError } {
  const cell = row.record[column] ?? '';
  const email = normalizeEmail(cell);
  const problem = emailProblem(email, row.record.length > column);
  return problem === undefined
    ? { email }
    : { error: { line: row.line, value: shortenCell(cell), reason: problem } };
}

/** A cell as quoted in an error (very long ones shortened). */
export function shortenCell(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 3)}...` : value;
}

function isBlank(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim().length === 0);
}

function decode(input: string | Uint8Array): { text: string; encoding?: CsvEncoding } {
  if (typeof input === 'string') return { text: input };
  return decodeCsvBytes(input);
}

/**
 * 1-based line of a byte offset, for offsets asked in increasing order. Counted here because
 * csv-parse's own line count takes a CRLF inside a quoted field for two lines.
 */
function lineCounter(bytes: Uint8Array): (offset: number) => number {
  let line = 1;
  let at = 0;
  return (offset) => {
    for (; at < offset && at < bytes.length; at++) {
      const byte = bytes[at];
      if (byte === LF || (byte === CR && bytes[at + 1] !== LF)) line++;
    }
    return line;
  };
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The field separator: a comma, except in Excel's "Unicode text" export (UTF-16), which separates
 * with tabs: a UTF-16 file whose first non-blank line has a tab and no comma is read with tabs.
 */
export function delimiterOf(text: string, encoding: CsvEncoding | undefined): ',' | '\t' {
  if (encoding !== 'UTF-16 LE' && encoding !== 'UTF-16 BE') return ',';
  const first = text.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

function readRows(bytes: Uint8Array, delimiter: ',' | '\t'): CsvRow[] {
  try {
    return parse(bytes, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as CsvRow[];
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`the CSV could not be read: ${message}`, { cause });
  }
}
