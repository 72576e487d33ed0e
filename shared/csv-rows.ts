import { parse } from 'csv-parse';
import { type DecodedCsvStream, decodeCsvStream } from './csv-decode-stream.js';
import type { CsvEncoding } from './csv-encoding-names.js';
import { isValidEmail, normalizeEmail } from './email.js';
import { UsageError } from './errors.js';
import { emailProblem as unsafeEmailReason } from './value-limits.js';

/**
 * Reading an operator's CSV (a spreadsheet or console export), shared by `remove --csv` and
 * `activity import --csv`: UTF-8 with or without a BOM, UTF-16 with a BOM, or Shift_JIS (CP932),
 * told apart as the bytes arrive (shared/csv-decode-stream.ts; anything else is refused naming
 * those), any line endings, quoted fields, blank lines skipped, every data row with the
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

/** What a CSV can be read from: its text, its bytes, or its bytes as they arrive (a file stream). */
export type CsvInput = string | Uint8Array | AsyncIterable<Uint8Array>;

/** The header and the non-blank data rows, read as the bytes arrive (memory: a chunk or two). */
export interface CsvTable {
  readonly header: readonly string[];
  /** The data rows in file order, a batch at a time (blank lines left out). */
  readonly rows: AsyncIterable<readonly CsvDataRow[]>;
  /** Stops reading (when the rows are not read to their end). */
  close(): Promise<void>;
  /**
   * The encoding the bytes are read as (shared/csv-encoding.ts); known once the rows are read
   * (a file that is ASCII so far is still undecided); undefined for text input.
   */
  encoding(): CsvEncoding | undefined;
}

const MAX_VALUE_LENGTH = 120;

interface CsvRow {
  readonly record: string[];
  /** UTF-8 bytes read when the record ended (its delimiter included). */
  readonly info: { readonly bytes: number };
}

/**
 * Opens a CSV: reads up to its header (the first non-blank line) and gives the data rows as a
 * stream of batches, each row parsed, with its line, as its bytes arrive. Throws a UsageError when the CSV has
 * no header, is in none of the encodings read, or cannot be parsed (the rows' iteration throws
 * it for what comes after the header).
 */
export async function openCsvTable(input: CsvInput, expected: string): Promise<CsvTable> {
  const source = textOf(input);
  const batches = readRecords(source)[Symbol.asyncIterator]();
  for (;;) {
    const next = await batches.next();
    if (next.done) {
      throw new UsageError(`the CSV is empty: expected a header line with ${expected}`);
    }
    const at = next.value.findIndex((row) => !isBlank(row.record));
    const header = next.value[at];
    if (header === undefined) continue;
    const first = next.value.slice(at + 1).filter((row) => !isBlank(row.record));
    const rows: AsyncIterable<readonly CsvDataRow[]> = {
      async *[Symbol.asyncIterator]() {
        if (first.length > 0) yield first;
        for (;;) {
          const batch = await batches.next();
          if (batch.done) return;
          const kept = batch.value.filter((row) => !isBlank(row.record));
          if (kept.length > 0) yield kept;
        }
      },
    };
    return {
      header: header.record,
      rows,
      close: async () => {
        await batches.return?.();
      },
      encoding: () => source.decoded?.encoding(),
    };
  }
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

/** A CSV's text as UTF-8 chunks, and the decoding of its bytes (absent for text input). */
interface CsvText {
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly decoded?: DecodedCsvStream;
}

function textOf(input: CsvInput): CsvText {
  if (typeof input === 'string')
    return {
      chunks: (async function* () {
        yield Buffer.from(input, 'utf8');
      })(),
    };
  const bytes =
    input instanceof Uint8Array
      ? (async function* () {
          yield input;
        })()
      : input;
  const decoded = decodeCsvStream(bytes);
  return {
    decoded,
    chunks: decoded.utf8,
  };
}

/**
 * The field separator: a comma, except in Excel's "Unicode text" export (UTF-16), which separates
 * with tabs: a UTF-16 file whose first non-blank line has a tab and no comma is read with tabs.
 */
export function delimiterOf(text: string, encoding: CsvEncoding | undefined): ',' | '\t' {
  if (encoding !== 'UTF-16 LE' && encoding !== 'UTF-16 BE') return ',';
  const first = text.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

/**
 * The chunks that hold the first non-blank line (or all of them, for a shorter file), read ahead
 * so the separator is known before parsing starts; then the rest.
 */
async function firstLineAhead(
  chunks: AsyncIterator<Uint8Array>,
): Promise<{ ahead: Uint8Array[]; text: string }> {
  const ahead: Uint8Array[] = [];
  let text = '';
  for (;;) {
    if (/\S[^\r\n]*[\r\n]/.test(text)) return { ahead, text };
    const next = await chunks.next();
    if (next.done) return { ahead, text };
    ahead.push(next.value);
    text += Buffer.from(next.value).toString('utf8');
  }
}

/**
 * 1-based line of a byte offset, for offsets asked in increasing order, over bytes that arrive
 * in chunks (a chunk is dropped once passed). A line ends at LF, CR LF or a lone CR. Counted here
 * because csv-parse's own line count takes a CRLF inside a quoted field for two lines.
 */
class LineCounter {
  private readonly chunks: Uint8Array[] = [];
  /** Offset of the first byte of `chunks[0]`. */
  private base = 0;
  private at = 0;
  private line = 1;
  private afterCr = false;

  push(chunk: Uint8Array): void {
    if (chunk.length > 0) this.chunks.push(chunk);
  }

  lineAt(offset: number): number {
    while (this.at < offset) {
      const chunk = this.chunks[0];
      if (chunk === undefined) break;
      const end = Math.min(offset, this.base + chunk.length);
      for (; this.at < end; this.at++) {
        const byte = chunk[this.at - this.base];
        // CR counts; LF counts unless it ends a CR LF.
        if (byte === CR || (byte === LF && !this.afterCr)) this.line++;
        this.afterCr = byte === CR;
      }
      if (this.at === this.base + chunk.length) {
        this.base += chunk.length;
        this.chunks.shift();
      }
    }
    return this.line;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** Resolves when the stream has records to read or has ended; rejects with its error. */
function readable(stream: NodeJS.EventEmitter & { readableEnded: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('readable', done);
      stream.off('end', done);
      stream.off('close', done);
      stream.off('error', done);
      if (error instanceof Error) reject(error);
      else resolve();
    };
    stream.on('readable', done);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/** Resolves when the stream takes writes again, or is closed. */
function drained(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * Every record of the CSV with the line it starts on, parsed as the bytes arrive, in batches (the
 * records of a chunk or so: one await per batch, not per row).
 */
async function* readRecords(source: CsvText): AsyncIterable<CsvDataRow[]> {
  const chunks = source.chunks[Symbol.asyncIterator]();
  const { ahead, text } = await firstLineAhead(chunks).catch((cause: unknown) => {
    if (cause instanceof UsageError) throw cause;
    throw new UsageError(`the CSV could not be read: ${String(cause)}`, { cause });
  });
  const parser = parse({
    delimiter: delimiterOf(text, source.decoded?.encoding()),
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: false,
  });
  const lines = new LineCounter();
  const feeding = (async () => {
    try {
      const rest = { [Symbol.asyncIterator]: () => chunks };
      for (const list of [ahead, rest])
        for await (const chunk of list) {
          lines.push(chunk);
          if (parser.destroyed) return;
          if (!parser.write(chunk)) await drained(parser);
        }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  let start = 0;
  try {
    for (;;) {
      const batch: CsvDataRow[] = [];
      for (let row = parser.read() as CsvRow | null; row !== null; row = parser.read()) {
        batch.push({ line: lines.lineAt(start), record: row.record });
        start = row.info.bytes;
      }
      if (batch.length > 0) yield batch;
      else if (parser.readableEnded || parser.destroyed) break;
      else await readable(parser);
    }
  } catch (cause) {
    if (cause instanceof UsageError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`the CSV could not be read: ${message}`, { cause });
  } finally {
    parser.destroy();
    await feeding;
  }
}
