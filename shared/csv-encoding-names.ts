/**
 * The names of the CSV encodings idsync reads (shared/csv-encoding.ts tells them apart), apart
 * from the decoder so that printing a name does not load iconv-lite (CLI start-up, BENCHMARKS.md).
 */

export type CsvEncoding = 'UTF-8' | 'UTF-8 with BOM' | 'UTF-16 LE' | 'UTF-16 BE' | 'CP932';

/** How a run names the encoding it read: `read members.csv as Shift_JIS (CP932)`. */
export const CSV_ENCODING_LABELS: Readonly<Record<CsvEncoding, string>> = {
  'UTF-8': 'UTF-8',
  'UTF-8 with BOM': 'UTF-8 (with BOM)',
  'UTF-16 LE': 'UTF-16 LE',
  'UTF-16 BE': 'UTF-16 BE',
  CP932: 'Shift_JIS (CP932)',
};

/** What the refusal names: the encodings idsync reads, as Excel calls them. */
export const ACCEPTED_ENCODINGS =
  'UTF-8 ("CSV UTF-8"), UTF-16 with a BOM ("Unicode text") or Shift_JIS/CP932 ("CSV" on a Japanese Windows)';
