import { describe, expect, it } from 'vitest';
import { periodSavings } from '../../../services/audit/period-savings.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';

const row = (over: Partial<AuditRecord>): AuditRecord => ({
  runId: 'r',
  at: '2026-12-01T10:00:00.000Z',
  kind: 'outcome',
  outcome: 'deleted',
  role: 'READER',
  ...over,
});

describe('periodSavings', () => {
  it('prices each deleted outcome of the period by role; other rows and older rows do not count', () => {
    const rows = [
      row({}),
      row({ role: 'AUTHOR' }),
      row({ role: 'reader_pro' }),
      row({ outcome: 'failed' }),
      row({ outcome: 'already_gone' }),
      row({ kind: 'decision', outcome: undefined, decision: 'delete' }),
      row({ kind: 'decision', outcome: undefined, decision: 'ends_with_group' }),
      row({ at: '2026-11-07T09:59:59.999Z' }),
    ];
    const { savings } = periodSavings('2026-11-07T10:00:00.000Z', rows, DEFAULT_PRICES);
    expect(savings.byRole).toEqual([
      { role: 'READER', count: 1, price: 3, monthly: 3 },
      { role: 'READER_PRO', count: 1, price: 20, monthly: 20 },
      { role: 'AUTHOR', count: 1, price: 24, monthly: 24 },
    ]);
    expect(savings).toMatchObject({ seats: 3, monthly: 47 });
  });
});
