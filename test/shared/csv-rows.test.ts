import { describe, expect, it } from 'vitest';
import { readCsvTable, readEmailCell } from '../../shared/csv-rows.js';

describe('readEmailCell', () => {
  const { rows } = readCsvTable(
    'name,email\nAnn, ANN@Example.com \nBob,\nCid,not-an-email\nDee\n',
    'an "email" column',
  );
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
