import {
  type CsvDataRow,
  emailProblem,
  findColumn,
  missingColumn,
  readCsvTable,
  shortenCell,
} from '../../shared/csv-rows.js';
import type { Removal } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';

/**
 * Reads the operator's removal CSV (`idsync remove --csv FILE`): UTF-8 with or without a BOM, a
 * header with an `email` column (any case, extra columns allowed), one person per row. Every bad
 * row is reported with its 1-based line number in the file and why; the good rows become `csv`
 * removals, each person once. Only a file that cannot be read as such a CSV at all throws.
 * (Reading, encodings and line numbers: shared/csv-rows.ts.)
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

export function parseRemovalCsv(input: string | Uint8Array): RemovalCsv {
  const { header, rows } = readCsvTable(input, `an "${EMAIL_COLUMN}" column`);
  const column = findColumn(header, [EMAIL_COLUMN]);
  if (column < 0) throw missingColumn(header, `"${EMAIL_COLUMN}"`);
  const removals: Removal[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const { record, line } of rows as CsvDataRow[]) {
    const cell = record[column] ?? '';
    const email = normalizeEmail(cell);
    const problem = emailProblem(email, record.length > column);
    if (problem !== undefined) {
      errors.push({ line, value: shortenCell(cell), reason: problem });
    } else if (seen.has(email)) {
      duplicates += 1;
    } else {
      seen.add(email);
      removals.push({ email, source: 'csv', detail: `CSV line ${line}` });
    }
  }
  return { removals, errors, duplicates };
}
