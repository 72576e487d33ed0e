import type { CsvEncoding } from '../../shared/csv-encoding-names.js';
import {
  type CsvInput,
  type CsvRowError,
  findColumn,
  missingColumn,
  openCsvTable,
  readEmailCell,
} from '../../shared/csv-rows.js';
import type { Removal } from '../../shared/domain.js';

/**
 * Reads the operator's removal CSV (`idsync remove --csv FILE`): UTF-8 with or without a BOM, a
 * header with an `email` column (any case, extra columns allowed), one person per row. Every bad
 * row is reported with its 1-based line number in the file and why; the good rows become `csv`
 * removals, each person once. Only a file that cannot be read as such a CSV at all throws.
 * (Reading, encodings and line numbers: shared/csv-rows.ts.)
 *
 * Rows are read as a stream: what is kept is one removal per person (and the set of people seen
 * for duplicates), never the file; bad rows go to `onError` as they are found, and only the
 * first `keepErrors` of them are kept for display (all are counted).
 */

export interface RemovalCsv {
  /** One per person, in the order of their first row. */
  readonly removals: Removal[];
  /** The first `keepErrors` bad rows (all of them by default), in file order. */
  readonly errors: CsvRowError[];
  /** Every bad row. */
  readonly errorCount: number;
  /** Rows naming a person an earlier row already named. */
  readonly duplicates: number;
  /** The encoding the file was read as (shared/csv-encoding.ts); absent for text input. */
  readonly encoding?: CsvEncoding;
}

export interface RemovalCsvOptions {
  /** Bad rows kept in `errors` (default: all). */
  readonly keepErrors?: number;
  /** Called with every bad row, in file order (e.g. to write its audit row). */
  readonly onError?: (error: CsvRowError) => void | Promise<void>;
}

const EMAIL_COLUMN = 'email';

export async function parseRemovalCsv(
  input: CsvInput,
  options: RemovalCsvOptions = {},
): Promise<RemovalCsv> {
  const table = await openCsvTable(input, `an "${EMAIL_COLUMN}" column`);
  try {
    const column = findColumn(table.header, [EMAIL_COLUMN]);
    if (column < 0) throw missingColumn(table.header, `"${EMAIL_COLUMN}"`);
    const keep = options.keepErrors ?? Number.POSITIVE_INFINITY;
    const removals: Removal[] = [];
    const errors: CsvRowError[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    let errorCount = 0;
    for await (const batch of table.rows) {
      for (const row of batch) {
        const read = readEmailCell(row, column);
        if ('error' in read) {
          errorCount += 1;
          if (errors.length < keep) errors.push(read.error);
          await options.onError?.(read.error);
        } else if (seen.has(read.email)) {
          duplicates += 1;
        } else {
          seen.add(read.email);
          removals.push({ email: read.email, source: 'csv', detail: `CSV line ${row.line}` });
        }
      }
    }
    const encoding = table.encoding();
    return { removals, errors, errorCount, duplicates, ...(encoding ? { encoding } : {}) };
  } finally {
    await table.close();
  }
}
