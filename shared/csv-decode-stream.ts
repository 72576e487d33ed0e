import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';
import {
  ACCEPTED_ENCODINGS,
  CSV_ENCODING_LABELS,
  type CsvEncoding,
  detectCsvEncoding,
  type EncodingVerdict,
} from './csv-encoding.js';
import { UsageError } from './errors.js';

/**
 * The encoding rule of shared/csv-encoding.ts for a CSV read as its bytes arrive (a file stream
 * of any size): the text comes out chunk by chunk, memory stays at a window.
 *
 * - A BOM decides at once (UTF-8, UTF-16 LE, UTF-16 BE).
 * - Otherwise ASCII bytes pass through while nothing tells the encodings apart (ASCII reads the
 *   same in UTF-8 and CP932). From the first byte above 0x7F, a window of up to
 *   `DECIDING_WINDOW` bytes is judged by `detectCsvEncoding` (UTF-8, else CP932, else refused);
 *   a multi-byte character cut by the window's end is left to the next chunk.
 * - Bytes after the decision that are not of that encoding (a replacement character, a NUL) end
 *   the stream with a UsageError naming the encoding read and the accepted ones.
 *
 * `openCsvTable` (shared/csv-rows.ts) reads every CSV through this; `decodeCsvBytes` is the same
 * rule on a whole file, the reference the tests hold this one to.
 */

/** Bytes judged after the first non-ASCII byte (the rest of the file is decoded by that verdict). */
export const DECIDING_WINDOW = 64 * 1024;

export interface DecodedCsvStream {
  /**
   * The text as UTF-8 bytes, chunk by chunk, without a BOM (UTF-8 and ASCII bytes pass through
   * as they came, checked). Read this or `text`, not both.
   */
  readonly utf8: AsyncIterable<Uint8Array>;
  /** The same text as strings. */
  readonly text: AsyncIterable<string>;
  /** The encoding read; undefined until decided (a pure-ASCII file ends as UTF-8). */
  encoding(): CsvEncoding | undefined;
}

export function decodeCsvStream(
  source: AsyncIterable<Uint8Array>,
  window = DECIDING_WINDOW,
): DecodedCsvStream {
  // A window holds at least one character of any encoding (4 bytes: the longest UTF-8 one).
  const size = Math.max(4, window);
  let encoding: CsvEncoding | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let decoder: Decoder | undefined;
  let bomChecked = false;

  /** Decides by a BOM when the file starts with one (then drops it). */
  const checkBom = () => {
    bomChecked = true;
    const verdict = detectCsvEncoding(pending.subarray(0, 3));
    if (!('encoding' in verdict) || verdict.bomBytes === 0) return;
    encoding = verdict.encoding;
    decoder = decoderFor(verdict.encoding);
    pending = pending.subarray(verdict.bomBytes);
  };
  /** The leading ASCII of an undecided stream (it reads the same in every candidate). */
  const takeAscii = (): Buffer => {
    let cut = pending.length;
    if (pending.includes(0) || !isAscii(pending)) {
      cut = 0;
      while (cut < pending.length && (pending[cut] as number) < 0x80 && pending[cut] !== 0) cut++;
    }
    const ascii = pending.subarray(0, cut);
    pending = pending.subarray(cut);
    return ascii;
  };
  const decide = (verdict: EncodingVerdict) => {
    if ('refused' in verdict) throw new UsageError(verdict.refused);
    encoding = verdict.encoding;
    decoder = decoderFor(verdict.encoding);
    return decoder;
  };

  async function* utf8(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      if (!bomChecked) {
        if (pending.length < 3 && startsLikeBom(pending)) continue;
        checkBom();
      }
      if (!decoder) {
        const ascii = takeAscii();
        if (ascii.length > 0) yield ascii;
        if (pending.length < size) {
          // Keep what waits for the window apart from the caller's buffer.
          pending = Buffer.from(pending);
          continue;
        }
        decide(judgeWindow(pending.subarray(0, size)));
      }
      const out = (decoder as Decoder)(pending, false);
      pending = Buffer.alloc(0);
      if (out.length > 0) yield out;
    }
    if (!bomChecked) checkBom();
    if (!decoder) {
      const ascii = takeAscii();
      if (ascii.length > 0) yield ascii;
      if (pending.length === 0) {
        encoding = 'UTF-8';
        return;
      }
      decide(detectCsvEncoding(pending));
    }
    const out = (decoder as unknown as Decoder)(pending, true);
    pending = Buffer.alloc(0);
    if (out.length > 0) yield out;
  }

  const bytes = utf8();
  async function* text(): AsyncIterable<string> {
    const strings = new TextDecoder('utf-8');
    for await (const chunk of bytes) yield strings.decode(chunk, { stream: true });
    const rest = strings.decode();
    if (rest) yield rest;
  }

  return { utf8: bytes, text: text(), encoding: () => encoding };
}

/** Turns a chunk of the file into UTF-8 bytes (the last one with `end`), refusing what does not fit. */
type Decoder = (chunk: Buffer, end: boolean) => Uint8Array;

/**
 * The verdict on a window that the rest of the file follows: UTF-8 when it is UTF-8 up to a
 * character its end may cut; else the whole-file rule, with a CP932 lead byte its end may cut
 * left out.
 */
export function judgeWindow(bytes: Uint8Array): EncodingVerdict {
  if (!bytes.includes(0)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
      return { encoding: 'UTF-8', bomBytes: 0 };
    } catch {
      // Not UTF-8: the rule below decides.
    }
  }
  const verdict = detectCsvEncoding(bytes);
  if ('encoding' in verdict || bytes.length < 2) return verdict;
  const withoutLast = detectCsvEncoding(bytes.subarray(0, bytes.length - 1));
  return 'encoding' in withoutLast ? withoutLast : verdict;
}

/** A decoder that refuses what is not of its encoding (checked as the chunks go by). */
function decoderFor(encoding: CsvEncoding): Decoder {
  const refuse = () =>
    new UsageError(
      `the CSV was read as ${CSV_ENCODING_LABELS[encoding]} but holds bytes that are not: save it as ${ACCEPTED_ENCODINGS}`,
    );
  if (encoding === 'UTF-8' || encoding === 'UTF-8 with BOM') {
    const check = new TextDecoder('utf-8', { fatal: true });
    return (chunk, end) => {
      try {
        check.decode(chunk, { stream: !end });
      } catch {
        throw refuse();
      }
      if (chunk.includes(0)) throw refuse();
      // Valid UTF-8 passes as it came (a character cut by the chunk's end completes in the next).
      return chunk;
    };
  }
  const name = encoding === 'CP932' ? 'cp932' : encoding === 'UTF-16 LE' ? 'utf-16le' : 'utf-16be';
  const decoder = iconv.getDecoder(name, { stripBOM: false });
  let odd = 0;
  return (chunk, end) => {
    odd = (odd + chunk.length) % 2;
    const text = decoder.write(chunk) + (end ? (decoder.end() ?? '') : '');
    const badLength = end && encoding !== 'CP932' && odd !== 0;
    if (text.includes('\uFFFD') || badLength || (encoding === 'CP932' && text.includes('\u0000')))
      throw refuse();
    return Buffer.from(text, 'utf8');
  };
}

/** Whether the bytes so far could still be the start of a BOM. */
function startsLikeBom(bytes: Buffer): boolean {
  const boms = [
    [0xef, 0xbb, 0xbf],
    [0xff, 0xfe],
    [0xfe, 0xff],
  ];
  return boms.some((bom) => [...bytes].every((b, i) => bom[i] === b));
}
