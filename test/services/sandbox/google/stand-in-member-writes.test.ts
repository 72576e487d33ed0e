import { admin, type admin_directory_v1 } from '@googleapis/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GoogleFixture,
  jwtClient,
  MEMBER_WRITE_SCOPE,
  seedGroup,
  startGoogleFixture,
} from './fixture.js';

/**
 * members.delete and members.insert of the Google stand-in (services/sandbox/google/member-writes.ts)
 * through the real @googleapis/admin client: the `.member` scope is needed, answers and errors
 * are Google's.
 */

const GROUP = 'readers@example.com';

function errorOf(e: unknown) {
  const r = (e as { response?: { status: number; data: unknown } }).response;
  return { status: r?.status, data: r?.data as { error: { errors: { reason: string }[] } } };
}

describe('Google stand-in: members.delete and members.insert', () => {
  let fx: GoogleFixture;
  let writer: admin_directory_v1.Admin;
  let reader: admin_directory_v1.Admin;

  beforeAll(async () => {
    fx = await startGoogleFixture();
    const client = (scopes: string[]) =>
      admin({
        version: 'directory_v1',
        auth: jwtClient(fx.standIn, undefined, scopes),
        rootUrl: fx.standIn.rootUrl,
        retry: false,
      });
    writer = client([MEMBER_WRITE_SCOPE]);
    reader = client(['https://www.googleapis.com/auth/admin.directory.group.member.readonly']);
    seedGroup(fx.state, GROUP, 3, 'r');
  });
  afterAll(() => fx.close());

  it('a read-only token gets 403 insufficientPermissions and changes nothing', async () => {
    const e = await reader.members
      .delete({ groupKey: GROUP, memberKey: 'r-0000@example.com' })
      .catch((x: unknown) => x);
    expect(errorOf(e)).toMatchObject({
      status: 403,
      data: {
        error: {
          code: 403,
          status: 'PERMISSION_DENIED',
          errors: [{ reason: 'insufficientPermissions' }],
        },
      },
    });
    const i = await reader.members
      .insert({ groupKey: GROUP, requestBody: { email: 'new@example.com' } })
      .catch((x: unknown) => x);
    expect(errorOf(i).status).toBe(403);
    expect(fx.state.directMembers(GROUP).map((m) => m.email)).toHaveLength(3);
  });

  it('deletes a member (204), then 404s it; inserts it back (200, the member), then 409s', async () => {
    const deleted = await writer.members.delete({
      groupKey: GROUP,
      memberKey: 'R-0001@example.com',
    });
    expect(deleted.status).toBe(204);
    expect(fx.state.listMembers(GROUP, true).map((m) => m.email)).not.toContain(
      'r-0001@example.com',
    );
    const again = await writer.members
      .delete({ groupKey: GROUP, memberKey: 'r-0001@example.com' })
      .catch((x: unknown) => x);
    expect(errorOf(again)).toMatchObject({
      status: 404,
      data: { error: { errors: [{ reason: 'notFound' }] } },
    });

    const inserted = await writer.members.insert({
      groupKey: GROUP,
      requestBody: { email: 'r-0001@example.com', role: 'MEMBER' },
    });
    expect(inserted.status).toBe(200);
    expect(inserted.data).toMatchObject({
      kind: 'admin#directory#member',
      email: 'r-0001@example.com',
      role: 'MEMBER',
      type: 'USER',
      status: 'ACTIVE',
    });
    expect(inserted.data.id).toMatch(/^\d{21}$/);
    expect(fx.state.listMembers(GROUP, true).map((m) => m.email)).toContain('r-0001@example.com');
    const dup = await writer.members
      .insert({ groupKey: GROUP, requestBody: { email: 'r-0001@example.com' } })
      .catch((x: unknown) => x);
    expect(errorOf(dup)).toMatchObject({
      status: 409,
      data: { error: { errors: [{ reason: 'duplicate' }] } },
    });
  });

  it('answers an unknown group 404, a bad role 400', async () => {
    const nogroup = await writer.members
      .delete({ groupKey: 'nope@example.com', memberKey: 'r-0000@example.com' })
      .catch((x: unknown) => x);
    expect(errorOf(nogroup).status).toBe(404);
    const badRole = await writer.members
      .insert({ groupKey: GROUP, requestBody: { email: 'x@example.com', role: 'BOSS' } })
      .catch((x: unknown) => x);
    expect(errorOf(badRole).status).toBe(400);
  });
});
