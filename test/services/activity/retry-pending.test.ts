import { describe, expect, it } from 'vitest';
import { PENDING_KEPT_MS, retryPendingEvents } from '../../../services/activity/retry-pending.js';
import type { ActivityDelta, MergeOptions } from '../../../shared/activity-record.js';
import type { PendingEvents } from '../../../shared/pending-events.js';

const mark = (at: string) => ({ at, eventName: 'GetDashboard', source: 'cloudtrail' as const });
const item = (idcUserId: string, version = 1): PendingEvents => ({
  idcUserId,
  newest: mark('2026-11-20T10:00:00.000Z'),
  oldest: mark('2026-11-02T10:00:00.000Z'),
  events: 3,
  updatedAt: '2026-11-20T10:00:00.000Z',
  version,
});

function fakeStore(items: PendingEvents[], failDelete = false) {
  const calls: string[] = [];
  const written: ActivityDelta[] = [];
  return {
    calls,
    written,
    items,
    async pendingEvents() {
      return [...items];
    },
    async recordMany(deltas: readonly ActivityDelta[], options?: MergeOptions) {
      calls.push(`record ${deltas.map((d) => d.userName).join(',')} exact=${options?.exact}`);
      written.push(...deltas);
      return deltas.map(() => 'written' as const);
    },
    async deletePending(i: Pick<PendingEvents, 'idcUserId' | 'version'>) {
      calls.push(`delete ${i.idcUserId}`);
      if (failDelete) throw new Error('crash');
      const at = items.findIndex((x) => x.idcUserId === i.idcUserId && x.version === i.version);
      if (at < 0) return false;
      items.splice(at, 1);
      return true;
    },
  };
}

const directory = {
  async usersOfIdcUser(id: string) {
    return id === 'u-known' ? [{ namespace: 'default', userName: 'known@example.com' }] : [];
  },
};

describe('retryPendingEvents', () => {
  it('merges what now resolves, then deletes its item; the rest stays pending', async () => {
    const store = fakeStore([item('u-known'), item('u-still')]);
    const out = await retryPendingEvents(store, directory);
    expect(store.calls).toEqual(['record known@example.com exact=true', 'delete u-known']);
    expect(store.written[0]).toMatchObject({
      newest: mark('2026-11-20T10:00:00.000Z'),
      oldest: mark('2026-11-02T10:00:00.000Z'),
      spans: {
        cloudtrail: { from: '2026-11-02T10:00:00.000Z', to: '2026-11-20T10:00:00.000Z' },
      },
    });
    expect(out).toMatchObject({ resolved: 3, leftUsers: 1, leftEvents: 3 });
    expect([...out.left]).toEqual(['u-still']);
    expect(store.items.map((i) => i.idcUserId)).toEqual(['u-still']);
  });

  it('a crash between the merge and the delete loses nothing: the next run merges it again', async () => {
    const items = [item('u-known')];
    await expect(retryPendingEvents(fakeStore(items, true), directory)).rejects.toThrow('crash');
    expect(items).toHaveLength(1);
    const store = fakeStore(items);
    const out = await retryPendingEvents(store, directory);
    expect(out.resolved).toBe(3);
    expect(store.written).toHaveLength(1);
    expect(items).toHaveLength(0);
  });

  it('an item that grew meanwhile is kept (its delete is refused)', async () => {
    const store = fakeStore([item('u-known', 1)]);
    store.pendingEvents = async () => [item('u-known', 0)];
    const out = await retryPendingEvents(store, directory);
    expect(out).toMatchObject({ resolved: 0, leftUsers: 1 });
  });

  it('drops an unresolved item once all its events are older than any idle window', async () => {
    const newest = Date.parse('2026-11-20T10:00:00.000Z');
    const fresh = fakeStore([item('u-still')]);
    expect(await retryPendingEvents(fresh, directory, newest + PENDING_KEPT_MS)).toMatchObject({
      expired: 0,
      leftUsers: 1,
    });
    const stale = fakeStore([item('u-still')]);
    expect(await retryPendingEvents(stale, directory, newest + PENDING_KEPT_MS + 1)).toMatchObject({
      expired: 3,
      leftUsers: 0,
    });
    expect(stale.items).toEqual([]);
  });
});
