import iconv from 'iconv-lite';
import { ACCEPTED_ENCODINGS, CSV_ENCODING_LABELS, type CsvEncoding } from './csv-encoding-names.js';
import { UsageError } from './errors.js';

export { ACCEPTED_ENCODINGS, CSV_ENCODING_LABELS, type CsvEncoding };

/**
 * The text encodings an operator's CSV may come in, and the one rule that tells them apart
 * (`detectCsvEncoding`): what Excel saves as "CSV UTF-8" (with a BOM), "CSV" on a Japanese
 * Windows (Shift_JIS, as code page 932), and "Unicode text" (UTF-16 with a BOM), plus plain
 * UTF-8. Decoding is iconv-lite's (UTF-16, CP932) or the platform's (UTF-8), never hand-written.
 */

export type EncodingVerdict =
  | { readonly encoding: CsvEncoding; readonly bomBytes: number }
  | { readonly refused: string };

const REPLACEMENT = '\uFFFD';

/**
 * The encoding rule, in order:
 * 1. a BOM decides: EF BB BF → UTF-8; FF FE → UTF-16 LE; FE FF → UTF-16 BE;
 * 2. no NUL byte, and valid UTF-8 → UTF-8 (pure ASCII is UTF-8, and reads the same as CP932);
 * 3. no NUL byte, and a CP932 decode without replacement characters → CP932;
 * 4. otherwise refused, naming the encodings accepted (NUL bytes: UTF-16 without its BOM, or
 *    not a text file).
 * Pure: bytes in, verdict out.
 */
export function detectCsvEncoding(bytes: Uint8Array): EncodingVerdict {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'UTF-8 with BOM', bomBytes: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'UTF-16 LE', bomBytes: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'UTF-16 BE', bomBytes: 2 };
  if (bytes.includes(0))
    return {
      refused: `the CSV holds NUL bytes (UTF-16 without a BOM, or not a text file): save it as ${ACCEPTED_ENCODINGS}`,
    };
  if (isUtf8(bytes)) return { encoding: 'UTF-8', bomBytes: 0 };
  if (!iconv.decode(Buffer.from(bytes), 'cp932').includes(REPLACEMENT))
    return { encoding: 'CP932', bomBytes: 0 };
  return {
    refused: `the CSV is neither UTF-8, UTF-16 nor Shift_JIS: save it as ${ACCEPTED_ENCODINGS}`,
  };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export interface DecodedCsv {
  /** The text, without its BOM. */
  readonly text: string;
  readonly encoding: CsvEncoding;
}

/**
 * Decodes a CSV file's bytes by the rule above.
 * @throws UsageError when the rule refuses them, or a UTF-16 file holds bytes that are not UTF-16
 * (an odd length, an unpaired surrogate).
 */
export function decodeCsvBytes(bytes: Uint8Array): DecodedCsv {
  const verdict = detectCsvEncoding(bytes);
  if ('refused' in verdict) throw new UsageError(verdict.refused);
  const { encoding, bomBytes } = verdict;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + bomBytes, bytes.length - bomBytes);
  if (encoding === 'UTF-8' || encoding === 'UTF-8 with BOM')
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding };
  const text = iconv.decode(body, ICONV_NAMES[encoding], { stripBOM: false });
  if (text.includes(REPLACEMENT) || (encoding !== 'CP932' && body.length % 2 !== 0))
    throw new UsageError(
      `the CSV starts like ${CSV_ENCODING_LABELS[encoding]} (its BOM) but holds bytes that are not: save it as ${ACCEPTED_ENCODINGS}`,
    );
  return { text, encoding };
}

const ICONV_NAMES: Readonly<Record<'UTF-16 LE' | 'UTF-16 BE' | 'CP932', string>> = {
  'UTF-16 LE': 'utf-16le',
  'UTF-16 BE': 'utf-16be',
  CP932: 'cp932',
};
