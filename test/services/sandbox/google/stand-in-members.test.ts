import { stat } from 'node:fs/promises';
import { admin, type admin_directory_v1 } from '@googleapis/admin';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type GoogleFixture,
  jwtClient,
  SAMPLE_PARENT_FLATTENED,
  scriptedRandom,
  seedGroup,
  seedSampleDirectory,
  startGoogleFixture,
} from './fixture.js';

interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    errors: { reason: string; domain: string }[];
  };
}

describe('Google stand-in: members.list through the real @googleapis/admin client', () => {
  let fx: GoogleFixture;
  let directory: admin_directory_v1.Admin;
  let token: string;
  const membersUrl = (group: string, query = '') =>
    `${fx.standIn.rootUrl}admin/directory/v1/groups/${encodeURIComponent(group)}/members${query}`;
  const get = (group: string, query = '') =>
    fetch(membersUrl(group, query), { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    fx = await startGoogleFixture();
    const auth = jwtClient(fx.standIn);
    directory = admin({ version: 'directory_v1', auth, rootUrl: fx.standIn.rootUrl, retry: false });
    token = (await auth.getAccessToken()).token ?? '';
    seedSampleDirectory(fx.state);
  });
  afterAll(() => fx.close());
  afterEach(() => fx.standIn.faults.configure({}));

  it('pages 450 members as 200/200/50 with opaque page tokens', async () => {
    const sizes: number[] = [];
    const emails: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await directory.members.list({
        groupKey: 'big@example.com',
        maxResults: 200,
        ...(pageToken ? { pageToken } : {}),
      });
      expect(data.kind).toBe('admin#directory#members');
      expect(data.etag).toMatch(/^".+"$/);
      sizes.push(data.members?.length ?? 0);
      for (const m of data.members ?? []) emails.push(m.email ?? '');
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(sizes).toEqual([200, 200, 50]);
    expect(new Set(emails)).toEqual(
      new Set(fx.state.listMembers('big@example.com', true).map((m) => m.email)),
    );
    expect(emails).toHaveLength(450);
  });

  it('answers member objects as the real API does, and defaults/caps maxResults at 200', async () => {
    const { data } = await directory.members.list({ groupKey: 'big@example.com', maxResults: 500 });
    expect(data.members).toHaveLength(200);
    const first = data.members?.[0];
    expect(first).toMatchObject({
      kind: 'admin#directory#member',
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
    expect(first?.etag).toMatch(/^".+"$/);
    expect(first?.id).toBe(`id-${first?.email}`);
    const res = await get('big@example.com');
    expect(((await res.json()) as { members: unknown[] }).members).toHaveLength(200);
  });

  it('flattens nested groups with includeDerivedMembership, each user once', async () => {
    const { data: flat } = await directory.members.list({
      groupKey: 'parent@example.com',
      includeDerivedMembership: true,
    });
    const flatEmails = (flat.members ?? []).map((m) => m.email);
    expect(flatEmails.sort()).toEqual(SAMPLE_PARENT_FLATTENED);
    expect((flat.members ?? []).every((m) => m.type === 'USER')).toBe(true);
    const { data: direct } = await directory.members.list({ groupKey: 'parent@example.com' });
    expect((direct.members ?? []).map((m) => `${m.type}:${m.email}`)).toContain(
      'GROUP:child@example.com',
    );
    expect(direct.members).toHaveLength(4);
  });

  it('answers an empty group without a members field', async () => {
    const res = await get('empty@example.com');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.kind).toBe('admin#directory#members');
    expect('members' in body).toBe(false);
    expect('nextPageToken' in body).toBe(false);
  });

  it('answers 404 notFound for an unknown group, 400 for bad parameters', async () => {
    const res = await get('nobody@example.com');
    expect(res.status).toBe(404);
    const body = (await res.json()) as GoogleErrorBody;
    expect(body.error.message).toBe('Resource Not Found: groupKey');
    expect(body.error.errors[0]?.reason).toBe('notFound');
    expect((await get('big@example.com', '?maxResults=0')).status).toBe(400);
    expect((await get('big@example.com', '?pageToken=garbage')).status).toBe(400);
  });

  it('throttles with 403 quotaExceeded and userRateLimitExceeded in turn', async () => {
    fx.standIn.faults.configure({ throttleRate: 1 });
    const reasons: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await get('big@example.com');
      expect(res.status).toBe(403);
      const body = (await res.json()) as GoogleErrorBody;
      expect(body.error.status).toBe('PERMISSION_DENIED');
      expect(body.error.errors[0]?.domain).toBe('usageLimits');
      reasons.push(body.error.errors[0]?.reason ?? '');
    }
    expect(reasons.sort()).toEqual(['quotaExceeded', 'userRateLimitExceeded']);
    await expect(directory.members.list({ groupKey: 'big@example.com' })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('sends Retry-After when its token bucket is empty', async () => {
    fx.standIn.faults.configure({ bucket: { rate: 0.5, burst: 1 } });
    expect((await get('big@example.com')).status).toBe(200);
    const res = await get('big@example.com');
    expect(res.status).toBe(403);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 backendError on the error knob, and on a failing page', async () => {
    fx.standIn.faults.configure({ errorRate: 1 });
    const res = await get('big@example.com');
    expect(res.status).toBe(503);
    expect(((await res.json()) as GoogleErrorBody).error.errors[0]?.reason).toBe('backendError');
    fx.standIn.faults.configure({ failPage: { page: 2 } });
    const page1 = await directory.members.list({ groupKey: 'big@example.com' });
    await expect(
      directory.members.list({
        groupKey: 'big@example.com',
        pageToken: page1.data.nextPageToken ?? '',
      }),
    ).rejects.toMatchObject({ status: 503 });
  });

  it('resets the connection on the reset knob', async () => {
    fx.standIn.faults.configure({ resetRate: 1 });
    const resetsBefore = fx.standIn.faults.counters.resets;
    await expect(get('big@example.com')).rejects.toThrow();
    expect(fx.standIn.faults.counters.resets).toBe(resetsBefore + 1);
  });

  it('adds latency on the latency knob', async () => {
    fx.standIn.faults.configure({ latencyMs: 120 });
    const started = performance.now();
    expect((await get('empty@example.com')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });
});

describe('Google stand-in: seeded fault decisions', () => {
  it('throttles exactly the calls the random source picks', async () => {
    const fx = await startGoogleFixture({
      faults: { throttleRate: 0.5 },
      random: scriptedRandom([0.9, 0.1, 0.9]),
    });
    try {
      seedGroup(fx.state, 'g@example.com', 1);
      const auth = jwtClient(fx.standIn);
      const { token } = await auth.getAccessToken();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(
          `${fx.standIn.rootUrl}admin/directory/v1/groups/g@example.com/members`,
          {
            headers: { authorization: `Bearer ${token}` },
          },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 403, 200]);
      expect(fx.standIn.faults.counters.throttled).toBe(1);
    } finally {
      await fx.close();
    }
    // close() takes the key file with it: the key pair dies with the stand-in.
    await expect(stat(fx.standIn.credentialsPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
