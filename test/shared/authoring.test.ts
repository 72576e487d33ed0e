import { describe, expect, it } from 'vitest';
import { combineDeltas, mergeActivity } from '../../shared/activity-record.js';
import { authorDowngradeOf, isAuthoringEvent } from '../../shared/authoring.js';

describe('isAuthoringEvent', () => {
  it.each([
    'CreateAnalysis',
    'UpdateDashboard',
    'UpdateDashboardPublishedVersion',
    'DeleteDataSet',
    'CreateDataSource',
    'UpdateTemplatePermissions',
    'CreateTheme',
    'UpdateTopic',
    'CreateFolderMembership',
    'RestoreAnalysis',
  ])('%s is authoring', (name) => expect(isAuthoringEvent(name)).toBe(true));

  it.each([
    'GetDashboard',
    'DescribeAnalysis',
    'ListDataSets',
    'SearchDashboards',
    'GenerateEmbedUrlForRegisteredUser',
    'QueryDatabase',
    'CreateUser',
    'UpdateUser',
    'createdashboard',
  ])('%s is not', (name) => expect(isAuthoringEvent(name)).toBe(false));
});

describe('authorDowngradeOf', () => {
  it('Author → Reader, Author Pro → Reader Pro; other roles none', () => {
    expect(authorDowngradeOf('author')).toBe('READER');
    expect(authorDowngradeOf('AUTHOR_PRO')).toBe('READER_PRO');
    expect(authorDowngradeOf('ADMIN')).toBeUndefined();
    expect(authorDowngradeOf('READER')).toBeUndefined();
  });
});

describe('the activity record keeps the newest authoring event next to `last`', () => {
  const base = { namespace: 'default', userName: 'AUTHOR/a@x.com' };
  const mark = (at: string, eventName: string) => ({
    at,
    eventName,
    source: 'cloudtrail' as const,
  });

  it('a newer authoring event is written even when `last` does not move', () => {
    const first = mergeActivity(
      undefined,
      { ...base, newest: mark('2026-12-05T00:00:00.000Z', 'GetDashboard') },
      '2026-12-05T01:00:00.000Z',
    );
    expect(first?.authored).toBeUndefined();
    const authored = mark('2026-12-01T00:00:00.000Z', 'UpdateAnalysis');
    const next = mergeActivity(
      first,
      { ...base, newest: authored, authored },
      '2026-12-06T00:00:00.000Z',
    );
    expect(next?.authored).toEqual(authored);
    expect(next?.last?.eventName).toBe('GetDashboard');
    // An older authoring event is no news.
    expect(
      mergeActivity(
        next,
        { ...base, authored: mark('2026-11-01T00:00:00.000Z', 'CreateDataSet') },
        '2026-12-06T01:00:00.000Z',
      ),
    ).toBeUndefined();
  });

  it('combineDeltas keeps the newer authoring mark', () => {
    const a = { ...base, authored: mark('2026-12-01T00:00:00.000Z', 'UpdateAnalysis') };
    const b = { ...base, authored: mark('2026-12-03T00:00:00.000Z', 'CreateDashboard') };
    expect(combineDeltas(a, b).authored?.eventName).toBe('CreateDashboard');
    expect(combineDeltas(b, a).authored?.eventName).toBe('CreateDashboard');
  });
});

describe('attribution marks the authoring events of a page', () => {
  it('deltasOf: an asset write sets `authored`, a read does not', async () => {
    const { deltasOf } = await import('../../services/activity/resolve-users.js');
    const user = { namespace: 'default', userName: 'AUTHOR/a@x.com' };
    const found = (eventName: string, at: string, eventId: string) => ({
      kind: 'user' as const,
      evidence: 'activity' as const,
      user,
      eventName,
      at,
      eventId,
    });
    const page = await deltasOf(
      [
        found('UpdateAnalysis', '2026-12-01T00:00:00.000Z', 'e1'),
        found('GetDashboard', '2026-12-05T00:00:00.000Z', 'e2'),
      ],
      'cloudtrail',
      { usersOfIdcUser: async () => [] },
    );
    expect(page.deltas).toHaveLength(1);
    expect(page.deltas[0]?.newest?.eventName).toBe('GetDashboard');
    expect(page.deltas[0]?.authored).toEqual({
      at: '2026-12-01T00:00:00.000Z',
      eventName: 'UpdateAnalysis',
      source: 'cloudtrail',
    });
    const reads = await deltasOf(
      [found('GetDashboard', '2026-12-05T00:00:00.000Z', 'e3')],
      'cloudtrail',
      { usersOfIdcUser: async () => [] },
    );
    expect(reads.deltas[0]?.authored).toBeUndefined();
  });
});
