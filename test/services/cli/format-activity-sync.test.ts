import { describe, expect, it } from 'vitest';
import type { ActivitySyncSummary } from '../../../services/activity/run-activity-sync.js';
import type { ActivitySyncJobResult } from '../../../services/activity/sync-job.js';
import {
  formatActivitySync,
  ignoredText,
  lanesText,
} from '../../../services/cli/format-activity-sync.js';

const region = (overrides: Partial<ActivitySyncSummary> = {}): ActivitySyncSummary => ({
  caughtUp: true,
  stopped: false,
  resumed: false,
  windows: [
    {
      kind: 'catch-up',
      from: '2026-11-30T10:00:00.000Z',
      to: '2026-11-30T11:45:00.000Z',
      finished: true,
      pages: 2,
      events: 60,
    },
  ],
  pages: 2,
  events: 60,
  attributed: 58,
  unresolved: 0,
  pending: 0,
  flushed: 0,
  ignored: { 'failed call': 2 },
  written: 10,
  unchanged: 48,
  tokensRefused: 0,
  covered: { from: '2026-09-01T12:01:00.000Z', to: '2026-11-30T11:45:00.000Z' },
  repaired: false,
  ...overrides,
});

describe('formatActivitySync', () => {
  it('shows each region, a failed one with its error on one line, and the account coverage', () => {
    const east = region({ repaired: true });
    const result: ActivitySyncJobResult = {
      ...east,
      windows: east.windows.map((w) => ({ ...w, region: 'us-east-1' })),
      caughtUp: false,
      covered: { from: '2026-09-01T12:01:00.000Z', to: '2026-11-28T00:00:00.000Z' },
      regions: [
        { region: 'us-east-1', summary: east },
        { region: 'eu-west-1', error: 'CloudTrail: LookupEvents failed\n\u001b[31m: 503' },
      ],
      failed: ['eu-west-1'],
      snapshotRunId: 'run-1',
      pendingResolved: 0,
      pendingExpired: 0,
      pendingUsers: 0,
      pendingEvents: 0,
    };
    const text = formatActivitySync(result, { calls: 3, throttled: 0, retries: 5 });
    expect(text).toContain(
      'activity sync: 2 LookupEvents pages, 60 QuickSight events in 2 regions',
    );
    expect(text).toContain(
      '  us-east-1: 2 pages, 60 events; covered 2026-09-01 12:01 → 2026-11-30 11:45 UTC, caught up (a coverage past CloudTrail’s time was dropped: reading the history again)',
    );
    expect(text).toContain(
      '    catch-up 2026-11-30 10:00 → 2026-11-30 11:45 UTC: read (2 pages, 60 events)',
    );
    expect(text).toContain('  eu-west-1: FAILED: CloudTrail: LookupEvents failed??[31m: 503');
    expect(text).toContain(
      '  CloudTrail coverage (every region): 2026-09-01 12:01 → 2026-11-28 00:00 UTC',
    );
    expect(text.split('\n').at(-1)).toBe(
      '  failed in eu-west-1: run it again to resume from the cursors.',
    );
  });
});

describe('ignored events in words', () => {
  it('says why each kind of event was not counted as use, one and many', () => {
    expect(
      ignoredText({
        'failed call': 9,
        'session names nobody': 1,
        'ignored principal': 9,
        'anonymous embedding': 0,
      }),
    ).toBe('9 failed calls, 1 session that names no user, 9 calls by ignored principals');
    expect(ignoredText({})).toBe('nothing');
  });
});

describe('lanesText', () => {
  it('counts regions for the home account alone, lanes with their regions and accounts beyond it', () => {
    expect(lanesText(['eu-west-1'])).toBe('1 region');
    expect(lanesText(['eu-west-1', 'us-east-1'])).toBe('2 regions');
    expect(lanesText(['eu-west-1', '222233334444/eu-west-1'])).toBe(
      '2 lanes (1 region, 2 accounts)',
    );
    expect(lanesText(['eu-west-1', 'us-east-1', '222233334444/eu-west-1'])).toBe(
      '3 lanes (2 regions, 2 accounts)',
    );
  });
});
