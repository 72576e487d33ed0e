import { describe, expect, it } from 'vitest';
import {
  generateActivity,
  LATEST_EVENT_MS,
  SANDBOX_EMBEDDING_ROLE,
} from '../../../../services/sandbox/scenarios/activity.js';
import { demoOrg } from '../../../../services/sandbox/scenarios/org.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const DAY = 86_400_000;
const org = demoOrg();

describe('generateActivity (demo organisation)', () => {
  const activity = generateActivity(org, { now: NOW, seed: 3 });
  const readers = activity.users.filter((u) => u.role === 'READER' || u.role === 'READER_PRO');

  it('has ~900 of ~2,200 Readers idle for more than 60 days', () => {
    expect(readers.length).toBeGreaterThan(2_150);
    expect(activity.idleReaders.length).toBeGreaterThanOrEqual(880);
    expect(activity.idleReaders.length).toBeLessThanOrEqual(920);
    const idle = new Set(activity.idleReaders);
    for (const u of readers)
      expect(idle.has(u.userName)).toBe(u.story === 'lapsed' || u.story === 'never');
  });

  it('keeps every story inside its time range', () => {
    const ago = (iso: string | undefined) => (NOW.getTime() - Date.parse(iso ?? '')) / DAY;
    for (const u of activity.users) {
      if (u.story === 'active') {
        expect(ago(u.lastActiveAt)).toBeLessThan(59);
        expect(NOW.getTime() - Date.parse(u.lastActiveAt ?? '')).toBeGreaterThanOrEqual(
          LATEST_EVENT_MS,
        );
      }
      if (u.story === 'lapsed') {
        expect(ago(u.lastActiveAt)).toBeGreaterThan(61);
        expect(ago(u.lastActiveAt)).toBeLessThan(89);
      }
      if (u.story === 'never') expect(u.lastActiveAt).toBeUndefined();
      if (u.story === 'new') {
        expect(u.lastActiveAt).toBeUndefined();
        expect(ago(u.registeredAt)).toBe(10);
      }
    }
    expect(activity.users.filter((u) => u.story === 'new')).toHaveLength(5);
  });

  it('records CloudTrail QuickSight events of every identity shape, oldest first, within 90 days', () => {
    const types = new Set(activity.records.map((r) => r.userIdentity.type));
    expect([...types].sort()).toEqual(['AssumedRole', 'IdentityCenterUser', 'Unknown']);
    expect(
      activity.records.some((r) =>
        String(r.userIdentity.arn).includes('assumed-role/aws-reserved/'),
      ),
    ).toBe(true);
    const times = activity.records.map((r) => Date.parse(r.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.min(...times)).toBeGreaterThan(NOW.getTime() - 90 * DAY);
    expect(activity.records.filter((r) => r.eventName === 'RegisterUser')).toHaveLength(5);
  });

  it('is the same for the same seed', () => {
    const again = generateActivity(org, { now: NOW, seed: 3 });
    expect(again.records.map((r) => r.eventID)).toEqual(activity.records.map((r) => r.eventID));
  });
  it('embeds dashboards for an eighth of the active users: their newest activity, by the portal role', () => {
    const embeds = activity.records.filter(
      (r) => r.eventName === 'GenerateEmbedUrlForRegisteredUser',
    );
    const active = activity.users.filter((u) => u.story === 'active');
    expect(embeds.length).toBeGreaterThan(active.length / 12);
    expect(embeds.length).toBeLessThan(active.length / 5);
    const byArn = new Map(org.people.flatMap((p) => p.quickSightUsers).map((u) => [u.arn, u]));
    for (const e of embeds) {
      expect(String(e.userIdentity.arn)).toContain(`assumed-role/${SANDBOX_EMBEDDING_ROLE}/`);
      const named = byArn.get(String(e.requestParameters?.userArn));
      const user = activity.users.find((u) => u.userName === named?.userName);
      expect(user?.lastActiveAt).toBe(new Date(e.eventTime).toISOString());
    }
    expect(
      activity.records.filter((r) => r.eventName === 'GenerateEmbedUrlForAnonymousUser'),
    ).toHaveLength(1);
  });
});

describe('generateActivity: Authors at work write assets', () => {
  it('some active Authors author (asset writes, not read-only), the rest only view', async () => {
    const { isAuthoringEvent } = await import('../../../../shared/authoring.js');
    const activity = generateActivity(org, { now: NOW, seed: 3 });
    const writes = activity.records.filter((r) => isAuthoringEvent(r.eventName));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.readOnly === false)).toBe(true);
    const authors = activity.users.filter((u) => u.role === 'AUTHOR' && u.story === 'active');
    // With the default 3/4 share, at least one active Author only viewed (the demo's downgrade).
    expect(writes.length).toBeLessThan(authors.length + 40);
    const viewersOnly = activity.records.filter(
      (r) =>
        !isAuthoringEvent(r.eventName) && r.readOnly === false && r.eventName !== 'RegisterUser',
    );
    expect(viewersOnly.every((r) => !r.eventName.startsWith('Update'))).toBe(true);
  });
});
