import { parse } from 'csv-parse/sync';
import { isValidEmail, normalizeEmail } from '../../shared/email.js';
import { UsageError } from '../../shared/errors.js';
import { emailProblem } from '../../shared/input-values.js';
import type { Removal } from './decide.js';

/**
 * Reads the operator's removal CSV (`idsync remove --csv FILE`): UTF-8 with or without a BOM, a
 * header with an `email` column (any case, extra columns allowed), one person per row. Every bad
 * row is reported with its 1-based line number in the file and why; the good rows become `csv`
 * removals, each person once. Only a file that cannot be read as such a CSV at all throws.
 */

export interface CsvRowError {
  /** 1-based line in the file where the row starts. */
  readonly line: number;
  /** The email cell as written (shortened when very long). */
  readonly value: string;
  readonly reason: string;
}

export interface RemovalCsv {
  /** One per person, in the order of their first row. */
  readonly removals: Removal[];
  readonly errors: CsvRowError[];
  /** Rows naming a person an earlier row already named. */
  readonly duplicates: number;
}

const EMAIL_COLUMN = 'email';
const MAX_VALUE_LENGTH = 120;

interface CsvRow {
  readonly record: string[];
  /** UTF-8 bytes read when the record ended (its delimiter included). */
  readonly info: { readonly bytes: number };
}

export function parseRemovalCsv(input: string | Uint8Array): RemovalCsv {
  const bytes = Buffer.from(decode(input), 'utf8');
  const rows = readRows(bytes);
  const lineAt = lineCounter(bytes);
  const headerAt = rows.findIndex((row) => !isBlank(row.record));
  const header = rows[headerAt];
  if (header === undefined) {
    throw new UsageError(
      `the CSV is empty: expected a header line with an "${EMAIL_COLUMN}" column`,
    );
  }
  const column = emailColumn(header.record);
  const removals: Removal[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let start = header.info.bytes;
  for (const { record, info } of rows.slice(headerAt + 1)) {
    const line = lineAt(start);
    start = info.bytes;
    if (isBlank(record)) continue;
    const cell = record[column] ?? '';
    const email = normalizeEmail(cell);
    const problem = checkEmail(email, record.length > column);
    if (problem !== undefined) {
      errors.push({ line, value: shorten(cell), reason: problem });
    } else if (seen.has(email)) {
      duplicates += 1;
    } else {
      seen.add(email);
      removals.push({ email, source: 'csv', detail: `CSV line ${line}` });
    }
  }
  return { removals, errors, duplicates };
}

function isBlank(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim().length === 0);
}

function checkEmail(email: string, hasCell: boolean): string | undefined {
  if (!hasCell) return `the row has no "${EMAIL_COLUMN}" cell`;
  if (email.length === 0) return 'the email is empty';
  const unsafe = emailProblem(email);
  if (unsafe !== undefined) return unsafe;
  if (!isValidEmail(email)) return `not a valid email address (read as ${JSON.stringify(email)})`;
  return undefined;
}

function decode(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  const [first, second] = input;
  if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) {
    throw new UsageError('the CSV is UTF-16: save it as "CSV UTF-8" and try again');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (cause) {
    throw new UsageError('the CSV is not valid UTF-8: save it as "CSV UTF-8" and try again', {
      cause,
    });
  }
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

function readRows(bytes: Uint8Array): CsvRow[] {
  try {
    return parse(bytes, {
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

function emailColumn(header: readonly string[]): number {
  const names = header.map((name) => normalizeEmail(name.replace(/^\uFEFF/, '')));
  const index = names.indexOf(EMAIL_COLUMN);
  if (index >= 0) return index;
  const found = header.map((name) => JSON.stringify(shorten(name))).join(', ');
  const hint =
    header.length === 1 && /[;\t]/.test(header[0] ?? '')
      ? ' (is it separated by ";" or tabs? use commas)'
      : '';
  throw new UsageError(
    `the CSV header has no "${EMAIL_COLUMN}" column${hint}; found: ${found || 'nothing'}`,
  );
}

function shorten(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 3)}...` : value;
}
