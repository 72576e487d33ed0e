import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleDirectory } from '../../../../services/snapshot/google/google-directory.js';
import {
  createGoogleManagers,
  managerRelation,
} from '../../../../shared/google/google-managers.js';
import { ADMIN, type GoogleFixture, startGoogleFixture } from './fixture.js';

/** users.get on the Google stand-in: the manager relation, the read-only user scope checked. */

const FAST = { baseMs: 1, capMs: 4, maxAttempts: 3 };

describe('Google stand-in users.get', () => {
  let g: GoogleFixture | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it("answers a user's manager relation; none for an unknown user or one without a manager", async () => {
    g = await startGoogleFixture();
    g.state.addGroup('readers@example.com', 'g1');
    g.state.addMember('readers@example.com', {
      id: 'u1',
      email: 'ann@example.com',
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
    g.state.setManager('ann@example.com', 'boss@example.com');
    const managers = createGoogleManagers({
      credentialsPath: g.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: g.standIn.rootUrl,
      retry: FAST,
    });
    expect(await managers.managerOf('ann@example.com')).toBe('boss@example.com');
    expect(await managers.managerOf('boss@example.com')).toBeUndefined();
    expect(await managers.managerOf('nobody@example.com')).toBeUndefined();
  });

  it("refuses users.get to a token with only the snapshot's member scope", async () => {
    g = await startGoogleFixture();
    const directory = createGoogleDirectory({
      credentialsPath: g.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: g.standIn.rootUrl,
      retry: FAST,
    });
    // The snapshot's client holds the member scope only: its token cannot read users.
    const api = (directory as unknown as { api: { users: { get(p: object): Promise<unknown> } } })
      .api;
    await expect(api.users.get({ userKey: 'ann@example.com' })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('reads the first manager relation, ignores others', () => {
    expect(
      managerRelation([
        { type: 'dotted_line_manager', value: 'a@x' },
        { type: 'manager', value: 'b@x' },
      ]),
    ).toBe('b@x');
    expect(managerRelation([{ type: 'manager', value: 'not-an-email' }])).toBeUndefined();
    expect(managerRelation(undefined)).toBeUndefined();
  });
});
