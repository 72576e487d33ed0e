import type { CsvEncoding } from '../../shared/csv-encoding-names.js';
import {
  type CsvRowError,
  findColumn,
  missingColumn,
  readCsvTable,
  readEmailCell,
} from '../../shared/csv-rows.js';
import type { Removal } from '../../shared/domain.js';

/**
 * Reads the operator's removal CSV (`idsync remove --csv FILE`): UTF-8 with or without a BOM, a
 * header with an `email` column (any case, extra columns allowed), one person per row. Every bad
 * row is reported with its 1-based line number in the file and why; the good rows become `csv`
 * removals, each person once. Only a file that cannot be read as such a CSV at all throws.
 * (Reading, encodings and line numbers: shared/csv-rows.ts.)
 */

export interface RemovalCsv {
  /** One per person, in the order of their first row. */
  readonly removals: Removal[];
  readonly errors: CsvRowError[];
  /** Rows naming a person an earlier row already named. */
  readonly duplicates: number;
  /** The encoding the file was read as (shared/csv-encoding.ts); absent for text input. */
  readonly encoding?: CsvEncoding;
}

const EMAIL_COLUMN = 'email';

export function parseRemovalCsv(input: string | Uint8Array): RemovalCsv {
  const { header, rows, encoding } = readCsvTable(input, `an "${EMAIL_COLUMN}" column`);
  const column = findColumn(header, [EMAIL_COLUMN]);
  if (column < 0) throw missingColumn(header, `"${EMAIL_COLUMN}"`);
  const removals: Removal[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of rows) {
    const read = readEmailCell(row, column);
    if ('error' in read) {
      errors.push(read.error);
    } else if (seen.has(read.email)) {
      duplicates += 1;
    } else {
      seen.add(read.email);
      removals.push({ email: read.email, source: 'csv', detail: `CSV line ${row.line}` });
    }
  }
  return { removals, errors, duplicates, ...(encoding ? { encoding } : {}) };
}
