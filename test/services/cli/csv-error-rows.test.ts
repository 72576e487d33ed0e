import { describe, expect, it } from 'vitest';
import { csvErrorRows } from '../../../services/cli/csv-error-rows.js';

describe('csvErrorRows', () => {
  it('makes one input_error audit row per bad line, naming the line', () => {
    const rows = csvErrorRows(
      [
        { line: 4, value: 'x@', reason: 'not a valid email address' },
        { line: 9, value: '', reason: 'the email is empty' },
      ],
      { runId: 'r1', at: '2026-12-02T10:00:00.000Z', source: 'csv' },
    );
    expect(rows).toEqual([
      {
        runId: 'r1',
        at: '2026-12-02T10:00:00.000Z',
        kind: 'input_error',
        source: 'csv',
        reason: 'CSV line 4: not a valid email address',
        detail: { line: 4, value: 'x@' },
      },
      {
        runId: 'r1',
        at: '2026-12-02T10:00:00.000Z',
        kind: 'input_error',
        source: 'csv',
        reason: 'CSV line 9: the email is empty',
        detail: { line: 9, value: '' },
      },
    ]);
    expect(csvErrorRows([], { runId: 'r1', at: 'now', source: 'csv' })).toEqual([]);
  });
});
