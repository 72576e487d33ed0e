import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsvStream, judgeWindow } from '../../shared/csv-decode-stream.js';
import { decodeCsvBytes } from '../../shared/csv-encoding.js';
import { UsageError } from '../../shared/errors.js';

/** The encoding rule on a CSV read chunk by chunk: the same text and verdict as the whole file. */

async function* chunked(bytes: Uint8Array, sizes: readonly number[]) {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes.length > 0 ? (sizes[i % sizes.length] as number) : bytes.length;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function readAll(bytes: Uint8Array, sizes: readonly number[], window?: number) {
  const stream = decodeCsvStream(chunked(bytes, sizes), window);
  let text = '';
  for await (const part of stream.text) text += part;
  return { text, encoding: stream.encoding() };
}

const ROSTER = fc.array(
  fc.tuple(
    fc.array(
      fc.constantFrom(...'山田太郎髙橋花子佐藤鈴木伊藤渡辺中村小林加藤吉田﨑ｱｲｳ①'.split('')),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/),
  ),
  { minLength: 1, maxLength: 15 },
);
const rosterText = (rows: [string[], string][]) =>
  `氏名,email\r\n${rows.map(([n, l]) => `${n.join('')},${l}@example.com`).join('\r\n')}\r\n`;
const SIZES = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 });

describe('decodeCsvStream', () => {
  it.each([
    ['utf8', false, 'UTF-8'],
    ['utf8', true, 'UTF-8 with BOM'],
    ['utf-16le', true, 'UTF-16 LE'],
    ['utf-16be', true, 'UTF-16 BE'],
  ] as const)(
    '%s (BOM %s) in any chunks and windows reads as the whole file (property)',
    async (name, addBOM, label) => {
      await fc.assert(
        fc.asyncProperty(
          ROSTER,
          SIZES,
          fc.integer({ min: 1, max: 64 }),
          async (rows, sizes, window) => {
            const text = rosterText(rows);
            const bytes = iconv.encode(text, name, { addBOM });
            expect(await readAll(bytes, sizes, window)).toEqual({ text, encoding: label });
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it('CP932 rosters in any chunks and windows read as the whole file does (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        ROSTER,
        SIZES,
        fc.integer({ min: 4, max: 64 }),
        fc.boolean(),
        async (rows, sizes, window, asciiFirst) => {
          const roster = rosterText(rows);
          // Some files start with ASCII (an `email` header first), some with Japanese.
          const text = asciiFirst ? `email_list\r\n${roster}` : roster;
          const bytes = iconv.encode(text, 'cp932');
          expect(decodeCsvBytes(bytes)).toEqual({ text, encoding: 'CP932' });
          expect(await readAll(bytes, sizes, window)).toEqual({ text, encoding: 'CP932' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ASCII passes through undecided: Japanese after a window of ASCII rows is still CP932', async () => {
    const ascii = Array.from({ length: 2_000 }, (_, i) => `user${i}@example.com`).join('\r\n');
    const text = `email,name\r\n${ascii}\r\nyamada@example.com,山田太郎\r\n`;
    const result = await readAll(iconv.encode(text, 'cp932'), [1000], 64);
    expect(result).toEqual({ text, encoding: 'CP932' });
    expect(await readAll(Buffer.from('email\r\na@b.com\r\n'), [3], 4)).toEqual({
      text: 'email\r\na@b.com\r\n',
      encoding: 'UTF-8',
    });
  });

  it('bytes after the decision that are not of that encoding end the stream with a UsageError', async () => {
    const utf8 = Buffer.concat([
      Buffer.from('email\r\n山田,a@b.com\r\n'),
      Buffer.from([0xff, 0x0a]),
    ]);
    await expect(readAll(utf8, [5], 8)).rejects.toThrow(UsageError);
    await expect(readAll(utf8, [5], 8)).rejects.toThrow(
      /was read as UTF-8 but holds bytes that are not/,
    );
    const cp932 = Buffer.concat([
      iconv.encode('email\r\n山田,a@b.com\r\n', 'cp932'),
      Buffer.from([0xa0]),
    ]);
    await expect(readAll(cp932, [4], 4)).rejects.toThrow(/was read as Shift_JIS \(CP932\)/);
    const nul = Buffer.from('email\r\n\u0000\u0000');
    await expect(readAll(nul, [2])).rejects.toThrow(/holds NUL bytes/);
    const odd = Buffer.concat([
      iconv.encode('email\n', 'utf-16le', { addBOM: true }),
      Buffer.from([0x41]),
    ]);
    await expect(readAll(odd, [3])).rejects.toThrow(/read as UTF-16 LE but holds bytes/);
  });

  it('an empty stream, and a lone BOM, are empty text', async () => {
    expect(await readAll(new Uint8Array(), [])).toEqual({ text: '', encoding: 'UTF-8' });
    expect(await readAll(Buffer.from([0xff, 0xfe]), [1])).toEqual({
      text: '',
      encoding: 'UTF-16 LE',
    });
  });
});

describe('judgeWindow', () => {
  it('a UTF-8 window cut inside a character is UTF-8; a CP932 one cut after a lead byte is CP932', () => {
    const utf8 = Buffer.from('山田太郎');
    expect(judgeWindow(utf8.subarray(0, 4))).toMatchObject({ encoding: 'UTF-8' });
    const cp932 = iconv.encode('山田太郎', 'cp932');
    expect(judgeWindow(cp932.subarray(0, 3))).toMatchObject({ encoding: 'CP932' });
    expect(judgeWindow(Buffer.from([0xff, 0xfd, 0x41]))).toMatchObject({
      refused: expect.stringMatching(/neither/),
    });
  });
});
