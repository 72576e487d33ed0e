import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudTrailEvent,
  eventBridgeEnvelope,
} from '../../../services/sandbox/cloudtrail-events.js';
import { buildOrg, SMALL_SPEC } from '../../../services/sandbox/scenarios/org.js';
import type { IdcUser, LedgerEntry } from '../../../shared/domain.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Listings checked at the snapshot's door, through the real SDK clients, the stand-ins and
 * dynalite. dynalite does not enforce DynamoDB's 2,048-byte key limit, so these tests assert on
 * what idsync writes (no refused value becomes a key), not on a DynamoDB error.
 */
describe('snapshot of listings with values over their limits', { timeout: 180_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  const huge = `${'é'.repeat(1_000)}@x.com`;
  const zeroWidth = 'zero\u200bwidth@example.com';
  let hugeUser: IdcUser;
  let zwUser: IdcUser;
  let badIdUser: IdcUser;
  /** A reader whose Google listing now carries a trailing newline (refused, but still a member). */
  let renamed: { email: string; googleId: string };

  const ledgerEmails = async () => {
    const out: LedgerEntry[] = [];
    for await (const page of t.stores.ledger.entries()) out.push(...page);
    return out.map((e) => e.email);
  };
  const event = (eventName: string, userId: string) => {
    const org = t.sandbox.org;
    return eventBridgeEnvelope(
      cloudTrailEvent({
        source: 'identitystore-scim.amazonaws.com',
        eventName,
        userId,
        identityStoreId: org.identityStoreId,
        tenantId: org.scimTenantId,
        accountId: org.accountId,
        region: org.region,
        time: new Date(),
      }),
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-values-'));
    t = await startTestSandbox({ org: buildOrg(SMALL_SPEC, 11) });
    await snapshotOk(t.sandbox); // the ledger knows every member before the listings go bad
    const org = t.sandbox.org;
    const byHand = (userName: string, emails: IdcUser['emails'], userId?: string) =>
      org.identityStore.createUser({
        ...(userId ? { userId } : {}),
        userName,
        displayName: userName,
        emails,
        externalIds: [],
      });
    hugeUser = byHand('huge.email', [{ value: huge, type: 'work', primary: true }]);
    zwUser = byHand('zero.width', [{ value: zeroWidth, type: 'work', primary: true }]);
    badIdUser = byHand('bad.id', [{ value: 'bad.id@example.com', primary: true }], 'f'.repeat(60));
    const readers = org.groupEmails.readers;
    const member = (id: string, email: string) =>
      ({ id, email, type: 'USER', role: 'MEMBER', status: 'ACTIVE' }) as const;
    org.google.addMember(readers, member('190000000000000000001', huge));
    const person = org.people.find((p) => p.kind === 'reader' && !p.protected && !p.mixedCase);
    if (!person) throw new Error('no plain reader');
    renamed = { email: person.email, googleId: person.googleId };
    org.google.removeMember(readers, person.email);
    org.google.addMember(readers, member(person.googleId, `${person.email}\n`));
    org.quickSight.register({
      userName: `${'x'.repeat(5_000)}@example.com`,
      email: 'long.name@example.com',
      role: 'READER',
      identityType: 'QUICKSIGHT',
    });
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('is COMPLETE, counts what each source refused, and writes no refused id or email as a key', async () => {
    const org = t.sandbox.org;
    const result = await runCliOn(t.sandbox, ['snapshot', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { manifest, goneUserIds } = JSON.parse(result.stdout);
    expect(manifest.status).toBe('COMPLETE');
    expect(goneUserIds).toEqual([]); // a user left out was never in the map: nobody marked gone
    const { idc, google, quicksight } = manifest.sources;
    expect(idc.invalid.count).toBe(3);
    expect(idc.invalid.reasons).toEqual(
      expect.arrayContaining([
        'stored without email: email is 1006 characters long (at most 254)',
        'stored without email: email contains the invisible or control character U+200B',
        'left out: IdC user id is 60 characters long (at most 47)',
      ]),
    );
    expect(idc.count).toBe(org.identityStore.size - 1);
    expect(google.invalid.count).toBe(2);
    expect(quicksight.invalid).toEqual({
      count: 1,
      reasons: ['kept: QuickSight user name is 5012 characters long (at most 512)'],
    });
    expect(quicksight.count).toBe(org.quickSight.size);
    // Counts and reasons only: the refused values themselves are not repeated.
    expect(JSON.stringify(manifest)).not.toContain('éé');

    // The identity map: no `email` (so no byEmail key) for the refused emails, no record for the id.
    const item = async (userId: string) =>
      (await t.doc.send(new GetCommand({ TableName: t.names.identities, Key: { userId } }))).Item;
    for (const u of [hugeUser, zwUser]) {
      const stored = await item(u.userId);
      expect(stored).toMatchObject({ userId: u.userId, userName: u.userName, emails: [] });
      expect(stored).not.toHaveProperty('email');
    }
    expect(await item(badIdUser.userId)).toBeUndefined();
    expect(await t.stores.identities.findByEmail(zeroWidth)).toEqual([]);

    // The ledger never records a refused email; the member with the trailing newline stays known.
    const emails = await ledgerEmails();
    expect(emails).not.toContain(huge);
    expect(emails).toContain(renamed.email);

    const human = await runCliOn(t.sandbox, ['snapshot']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/: COMPLETE\n/);
    expect(human.stdout).toMatch(
      /\n {2}idc values over their limits: 3 \(.*stored without email: email is 1006 characters long/,
    );
    expect(human.stdout).toMatch(/google values over their limits: 2 \(kept: email contains/);
  });

  it('an event for a user stored without email never resolves to anyone; a CreateUser refresh keeps it email-less', async () => {
    const org = t.sandbox.org;
    const before = org.quickSight.size;
    org.identityStore.deleteUser(hugeUser.userId);
    const path = join(dir, 'events.jsonl');
    writeFileSync(
      path,
      `${[event('DeleteUser', hugeUser.userId), event('CreateUser', zwUser.userId)]
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    const result = await runCliOn(t.sandbox, ['handle-event', path, '--apply', '--json']);
    expect(result.code).toBe(4); // an unresolved event is unusable input: exit 4, nothing deleted
    const out = JSON.parse(result.stdout);
    expect(out.outcomes).toEqual([
      expect.objectContaining({
        status: 'unresolved',
        message: expect.stringContaining(
          'the identity map has no email for this user; nothing deleted',
        ),
      }),
      expect.objectContaining({
        status: 'refreshed',
        message: expect.stringContaining(
          'identity map refreshed (stored without email: email contains the invisible or control character U+200B)',
        ),
      }),
    ]);
    expect(out.outcomes[1]).not.toHaveProperty('email');
    const refreshed = await t.stores.identities.get(zwUser.userId);
    expect(refreshed?.emails).toEqual([]);
    expect(refreshed?.email).toBeUndefined();
    expect(org.quickSight.size).toBe(before);
  });

  it('reconcile --apply afterwards deletes nobody: the refused member is not a leaver when gone, the renamed one is still a member', async () => {
    const org = t.sandbox.org;
    // The member with the 1,006-character email leaves; the reader listed with a newline stays.
    expect(org.google.removeMember(org.groupEmails.readers, huge)).toBe(true);
    const before = org.quickSight.size;
    const result = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.snapshot.manifest.status).toBe('COMPLETE');
    expect(out.plan.plan.counts.delete).toBe(0);
    expect(out.plan.plan.decisions).toEqual([]);
    expect(org.quickSight.size).toBe(before);
    const person = org.people.find((p) => p.email === renamed.email);
    for (const u of person?.quickSightUsers ?? [])
      expect(org.quickSight.get(u.userName)).toBeDefined();
  });
});
