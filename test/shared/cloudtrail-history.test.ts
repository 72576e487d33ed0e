import { describe, expect, it } from 'vitest';
import { LOOKUP_HISTORY_DAYS } from '../../services/activity/sync-windows.js';
import { CLOUDTRAIL_HISTORY_DAYS } from '../../shared/cloudtrail-history.js';
import { loadConfig } from '../../shared/config/index.js';

describe("CloudTrail's 90 days bound every days setting", () => {
  it('is 90 days, the history activity sync reads', () => {
    expect(CLOUDTRAIL_HISTORY_DAYS).toBe(90);
    expect(LOOKUP_HISTORY_DAYS).toBe(CLOUDTRAIL_HISTORY_DAYS);
  });

  it.each([
    ['0', false],
    ['1', true],
    ['89', true],
    ['90', true],
    ['91', false],
  ])('IDSYNC_INACTIVE_DAYS=%s is accepted: %j', (days, ok) => {
    const load = () => loadConfig(['inactive'], { IDSYNC_INACTIVE_DAYS: days });
    if (ok) expect(load().inactive.days).toBe(Number(days));
    else expect(load).toThrow(/IDSYNC_INACTIVE_DAYS/);
  });
});
