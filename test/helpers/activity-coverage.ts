import type { Span } from '../../shared/activity-record.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';

/**
 * Makes the activity record claim `span` of CloudTrail coverage in every one of `regions` (the
 * account-wide coverage `activity sync` would leave), for tests of its readers.
 */
export async function coverActivity(
  store: Pick<DynamoActivityStore, 'cursorOf' | 'putSyncRegions'>,
  regions: readonly string[],
  span: Span,
): Promise<void> {
  await store.putSyncRegions(regions);
  for (const region of regions) {
    const cursor = store.cursorOf(region);
    const stored = await cursor.putCursor(await cursor.getCursor(), { covered: span });
    if (!stored) throw new Error(`cursor of ${region} moved meanwhile`);
  }
}
