import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvDataRow, openCsvTable, readEmailCell } from '../../shared/csv-rows.js';

async function rowsOf(text: string | Uint8Array | AsyncIterable<Uint8Array>) {
  const table = await openCsvTable(text, 'an "email" column');
  const rows: CsvDataRow[] = [];
  for await (const batch of table.rows) rows.push(...batch);
  return { header: table.header, rows };
}

describe('readEmailCell', async () => {
  const { rows } = await rowsOf('name,email\nAnn, ANN@Example.com \nBob,\nCid,not-an-email\nDee\n');
  const [ann, bob, cid, dee] = rows.map((row) => readEmailCell(row, 1));

  it('gives the normalised email of a good cell', () => {
    expect(ann).toEqual({ email: 'ann@example.com' });
  });

  it('gives each bad cell as written, its line and why', () => {
    expect(bob).toEqual({ error: { line: 3, value: '', reason: 'the email is empty' } });
    expect(cid).toEqual({
      error: {
        line: 4,
        value: 'not-an-email',
        reason: 'not a valid email address (read as "not-an-email")',
      },
    });
    expect(dee).toEqual({
      error: { line: 5, value: '', reason: 'the row has no "email" cell' },
    });
  });
});

/** The bytes in chunks cut at the given offsets. */
async function* cut(bytes: Uint8Array, at: readonly number[]): AsyncIterable<Uint8Array> {
  let from = 0;
  for (const to of [...new Set(at)].sort((a, b) => a - b)) {
    if (to > from && to < bytes.length) {
      yield bytes.subarray(from, to);
      from = to;
    }
  }
  yield bytes.subarray(from);
}

describe('openCsvTable reads a stream', () => {
  const text =
    '\uFEFF\r\nnote,email\r\n"a\r\nquoted\rfield",ａｌｉｃｅ@example.com\r\n\r\nx,é@example.com\r\nlast,z@example.com\r\n';
  const bytes = Buffer.from(text, 'utf8');

  it('gives the same rows and lines however the bytes are cut (BOM, CR LF, characters split)', async () => {
    const whole = await rowsOf(bytes);
    expect(whole.header).toEqual(['note', 'email']);
    expect(whole.rows.map((r) => r.line)).toEqual([3, 7, 8]);
    for (let i = 1; i < bytes.length; i++) {
      expect(await rowsOf(cut(bytes, [i])), `cut at ${i}`).toEqual(whole);
    }
    expect(await rowsOf(cut(bytes, [...bytes.keys()]))).toEqual(whole);
  });

  it('property: any cutting of any file gives the rows of the whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (at) => {
          expect(await rowsOf(cut(bytes, at))).toEqual(await rowsOf(bytes));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a character cut off at the end and invalid UTF-8 in a later chunk', async () => {
    // UTF-8 山田 then the first byte of a character: neither UTF-8 nor CP932 (a lone lead byte).
    const broken = Buffer.concat([Buffer.from('email\n山田@example.com\n'), Buffer.from([0xe5])]);
    await expect(rowsOf(cut(broken, [3, 10]))).rejects.toThrow(
      /neither UTF-8, UTF-16 nor Shift_JIS/,
    );
    // Read as UTF-8 from its first 64 KiB, then a byte that is not UTF-8.
    const long = Buffer.concat([
      Buffer.from(`email\n${'山田@example.com\n'.repeat(5_000)}`),
      Buffer.from([0xff, 0x0a]),
    ]);
    await expect(rowsOf(cut(long, [70_000, 90_000]))).rejects.toThrow(
      /was read as UTF-8 but holds bytes that are not/,
    );
  });
});
