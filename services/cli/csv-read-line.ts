import { basename } from 'node:path';
import { CSV_ENCODING_LABELS, type CsvEncoding } from '../../shared/csv-encoding-names.js';

/**
 * The line a command prints about the CSV it read: which file, and as which encoding
 * (`read members.csv as Shift_JIS (CP932)`), so an operator sees how the bytes were taken.
 */
export function csvReadLine(path: string, encoding: CsvEncoding | undefined): string {
  const what = path === '-' ? 'standard input' : basename(path);
  return `read ${what} as ${encoding ? CSV_ENCODING_LABELS[encoding] : 'text'}`;
}
