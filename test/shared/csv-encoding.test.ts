import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsvBytes, detectCsvEncoding } from '../../shared/csv-encoding.js';
import { type CsvDataRow, delimiterOf, openCsvTable } from '../../shared/csv-rows.js';
import { UsageError } from '../../shared/errors.js';

/** The encoding rule of an operator's CSV; fixtures made with iconv-lite's encoder. */

async function readCsvTable(input: Uint8Array, expected: string) {
  const table = await openCsvTable(input, expected);
  const rows: CsvDataRow[] = [];
  for await (const batch of table.rows) rows.push(...batch);
  return { header: table.header, rows, encoding: table.encoding() };
}

const JAPANESE =
  '氏名,email\r\n山田太郎,ｙａｍａｄａ＠example.com\r\n髙橋①,takahashi@example.com\r\n';
const bom = (encoding: string, text: string) =>
  iconv.encode(text, encoding, { addBOM: true }) as Uint8Array;

describe('detectCsvEncoding', () => {
  it('a BOM decides: UTF-8, UTF-16 LE, UTF-16 BE', () => {
    expect(detectCsvEncoding(bom('utf8', JAPANESE))).toEqual({
      encoding: 'UTF-8 with BOM',
      bomBytes: 3,
    });
    expect(detectCsvEncoding(bom('utf-16le', JAPANESE))).toEqual({
      encoding: 'UTF-16 LE',
      bomBytes: 2,
    });
    expect(detectCsvEncoding(bom('utf-16be', JAPANESE))).toEqual({
      encoding: 'UTF-16 BE',
      bomBytes: 2,
    });
  });

  it('valid UTF-8 is UTF-8; ASCII is UTF-8 too', () => {
    expect(detectCsvEncoding(Buffer.from(JAPANESE, 'utf8'))).toMatchObject({ encoding: 'UTF-8' });
    expect(detectCsvEncoding(Buffer.from('email\na@b.com\n'))).toMatchObject({ encoding: 'UTF-8' });
    expect(detectCsvEncoding(new Uint8Array())).toMatchObject({ encoding: 'UTF-8' });
  });

  it('not UTF-8 but a clean CP932 decode is CP932 (Excel "CSV" on a Japanese Windows)', () => {
    const bytes = iconv.encode(JAPANESE, 'cp932');
    expect(detectCsvEncoding(bytes)).toEqual({ encoding: 'CP932', bomBytes: 0 });
    expect(decodeCsvBytes(bytes).text).toBe(JAPANESE);
  });

  it('refuses anything else, naming the encodings accepted', () => {
    // 0xFF is neither UTF-8 nor CP932; a lone CP932 lead byte at the end neither.
    for (const bytes of [
      Buffer.from([0x65, 0x6d, 0xff, 0x0a]),
      Buffer.from([0x65, 0x6d, 0x0a, 0x82]),
      Buffer.from([0x65, 0xa0, 0x0a]),
    ]) {
      const verdict = detectCsvEncoding(bytes);
      expect(verdict).toEqual({
        refused: expect.stringMatching(/neither UTF-8, UTF-16 nor Shift_JIS/),
      });
      expect('refused' in verdict && verdict.refused).toMatch(/CSV UTF-8.*Unicode text.*CP932/);
    }
  });

  it('refuses NUL bytes: UTF-16 without its BOM, or not text', () => {
    const noBom = iconv.encode('email\n', 'utf-16le');
    expect(detectCsvEncoding(noBom)).toEqual({
      refused: expect.stringMatching(/^the CSV holds NUL bytes \(UTF-16 without a BOM/),
    });
    expect('refused' in detectCsvEncoding(new Uint8Array([0, 255, 254, 10]))).toBe(true);
  });

  it('any text CP932 can hold reads back the same unless its bytes are valid UTF-8 (property)', () => {
    const chars = fc.constantFrom(
      ...'abcxyz@.,-_ 0129\r\n"山田太郎髙橋﨑①ｱｲｳｶﾞ＠ｙａｍａｄａ、。「」ー～'.split(''),
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), (list) => {
        const text = list.join('');
        const bytes = iconv.encode(text, 'cp932');
        const decoded = decodeCsvBytes(bytes);
        if (decoded.encoding === 'UTF-8')
          expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(decoded.text);
        else expect(decoded).toEqual({ encoding: 'CP932', text });
      }),
      { numRuns: 500 },
    );
  });

  it('names and addresses as a roster holds them read as CP932 (property)', () => {
    const kanji = fc.constantFrom(
      ...'山田太郎髙橋花子佐藤鈴木伊藤渡辺中村小林加藤吉田﨑'.split(''),
    );
    const row = fc.tuple(
      fc.array(kanji, { minLength: 2, maxLength: 5 }),
      fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/),
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        const text = `氏名,email\r\n${rows.map(([n, l]) => `${n.join('')},${l}@example.com`).join('\r\n')}\r\n`;
        expect(decodeCsvBytes(iconv.encode(text, 'cp932'))).toEqual({ encoding: 'CP932', text });
      }),
      { numRuns: 300 },
    );
  });

  it("the rule's known limit: CP932 bytes that happen to be valid UTF-8 read as UTF-8", () => {
    // Half-width "ﾞ" (0xDE) then "、" (0x81 0x41): DE 81 is a valid UTF-8 pair (U+0781).
    const bytes = iconv.encode('ﾞ、', 'cp932');
    expect([...bytes]).toEqual([0xde, 0x81, 0x41]);
    expect(detectCsvEncoding(bytes)).toMatchObject({ encoding: 'UTF-8' });
  });
});

describe('decodeCsvBytes', () => {
  it('drops the BOM and decodes UTF-16 both ways', () => {
    for (const encoding of ['utf-16le', 'utf-16be', 'utf8'])
      expect(decodeCsvBytes(bom(encoding, JAPANESE)).text).toBe(JAPANESE);
  });

  it('a UTF-16 BOM followed by an odd number of bytes is refused', () => {
    const odd = Buffer.concat([bom('utf-16le', 'email\n'), Buffer.from([0x41])]);
    expect(() => decodeCsvBytes(odd)).toThrow(UsageError);
    expect(() => decodeCsvBytes(odd)).toThrow(/starts like UTF-16 LE \(its BOM\) but holds bytes/);
  });

  it('openCsvTable reads rows and line numbers the same in every encoding', async () => {
    const utf8 = await readCsvTable(Buffer.from(JAPANESE), 'x');
    for (const bytes of [
      iconv.encode(JAPANESE, 'cp932'),
      bom('utf-16le', JAPANESE),
      bom('utf-16be', JAPANESE),
      bom('utf8', JAPANESE),
    ]) {
      const table = await readCsvTable(bytes, 'x');
      expect(table.header).toEqual(['氏名', 'email']);
      expect(table.rows).toEqual(utf8.rows);
    }
    expect((await readCsvTable(iconv.encode(JAPANESE, 'cp932'), 'x')).encoding).toBe('CP932');
  });
});

describe('Excel "Unicode text" (UTF-16, tab-separated)', () => {
  it('a UTF-16 file whose header has tabs and no comma is read with tabs', async () => {
    const tsv = '氏名\tメール\temail\r\n山田太郎\t本社\tｙａｍａｄａ＠example.com\r\n';
    for (const encoding of ['utf-16le', 'utf-16be']) {
      const table = await readCsvTable(bom(encoding, tsv), 'x');
      expect(table.header).toEqual(['氏名', 'メール', 'email']);
      expect(table.rows).toEqual([
        { line: 2, record: ['山田太郎', '本社', 'ｙａｍａｄａ＠example.com'] },
      ]);
    }
  });

  it('commas stay the separator elsewhere: UTF-8 or CP932 with tabs, and UTF-16 with commas', async () => {
    const tsv = 'name\temail\r\nx\ty@example.com\r\n';
    expect(delimiterOf(tsv, 'UTF-8')).toBe(',');
    expect(delimiterOf(tsv, 'CP932')).toBe(',');
    expect(delimiterOf(tsv, 'UTF-16 LE')).toBe('\t');
    expect(delimiterOf('\r\nname,email\tx\r\n', 'UTF-16 BE')).toBe(',');
    expect((await readCsvTable(Buffer.from(tsv), 'x')).header).toEqual(['name\temail']);
  });
});
