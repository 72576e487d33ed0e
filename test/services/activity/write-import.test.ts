import { describe, expect, it } from 'vitest';
import { contradictsImport, withoutImportSpan } from '../../../services/activity/write-import.js';
import type { ActivityDelta, ActivityMark } from '../../../shared/activity-record.js';

const delta: ActivityDelta = {
  namespace: 'default',
  userName: 'u',
  newest: { at: '2026-01-05T00:00:00.000Z', eventName: 'LastActive', source: 'import' },
  spans: { import: { from: '2026-01-05T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' } },
};
const mark = (at: string, source: ActivityMark['source'] = 'cloudtrail'): ActivityMark => ({
  at,
  eventName: 'GetDashboard',
  source,
});

describe('contradictsImport', () => {
  it.each([
    ['no activity known', undefined, false],
    ['activity at the imported date', mark('2026-01-05T00:00:00.000Z'), false],
    ['activity before it', mark('2025-12-01T00:00:00.000Z'), false],
    ['activity just after it', mark('2026-01-05T00:00:00.001Z'), true],
    ['activity at the export', mark('2026-03-01T00:00:00.000Z'), true],
    ['activity after the export', mark('2026-03-01T00:00:00.001Z'), false],
    ['an earlier import saying later', mark('2026-02-01T00:00:00.000Z', 'import'), true],
  ])('%s → %s', (_title, last, expected) => {
    expect(contradictsImport(last, delta)).toBe(expected);
  });

  it('a row without a span is never contradicted; dropping the span keeps the activity', () => {
    const bare = withoutImportSpan(delta);
    expect(bare).toEqual({ namespace: 'default', userName: 'u', newest: delta.newest });
    expect(contradictsImport(mark('2026-02-01T00:00:00.000Z'), bare)).toBe(false);
  });
});
