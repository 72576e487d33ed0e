import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_RATE } from '../../../../services/sandbox/cloudtrail/stand-in.js';
import { startControlServer } from '../../../../services/sandbox/control/control-server.js';
import type { DynamoServer } from '../../../../services/sandbox/dynamo-server.js';
import { Faults } from '../../../../services/sandbox/http/faults.js';
import { smallOrg } from '../../../../services/sandbox/scenarios/org.js';
import type { GoogleMember, IdcUser, QuickSightUser } from '../../../../shared/domain.js';
import { startTestSandbox, type TestSandbox } from '../../../helpers/sandbox.js';

/**
 * The world controls through the control endpoint (`POST <url>/world/<name>`), each change
 * checked where idsync reads it: the Google, IdentityStore, QuickSight and CloudTrail stand-ins
 * on the wire, through the real clients.
 */

async function all<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('world controls on the control endpoint', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let control: string;
  let cloudTrail: CloudTrailClient;
  const post = async (name: string, body: unknown) => {
    const res = await fetch(`${control}/world/${name}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const members = async (group: string): Promise<GoogleMember[]> =>
    all(t.ports.google.listMembers(group));
  // LookupEvents allows LOOKUP_RATE calls a second (the stand-in throttles beyond it, as
  // CloudTrail does); the cases call it back to back, so each waits its turn as a caller must.
  let lastLookupAt = 0;
  const lookupEvents = async (input: LookupEventsCommandInput) => {
    const wait = lastLookupAt + 1000 / LOOKUP_RATE.rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastLookupAt = Date.now();
    return cloudTrail.send(new LookupEventsCommand(input));
  };

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), control: true });
    control = t.sandbox.controlUrl as string;
    cloudTrail = new CloudTrailClient({
      region: t.sandbox.org.region,
      endpoint: t.sandbox.cloudTrail.endpoint,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
  }, 120_000);
  afterAll(async () => {
    cloudTrail?.destroy();
    await t?.close();
  });

  it('leave and sync: Google lists the person in no group, then IdC no longer has their user', async () => {
    const org = t.sandbox.org;
    const leaver = org.people.find(
      (p) => p.kind === 'analyst-and-reader',
    ) as (typeof org.people)[0];
    const readers = org.groupEmails.readers;
    expect((await members(readers)).some((m) => m.email === leaver.email)).toBe(true);
    const left = await post('leave', { email: leaver.email });
    expect(left.status).toBe(200);
    expect((left.body.left as string[]).sort()).toEqual([org.groupEmails.analysts, readers].sort());
    expect((await members(readers)).some((m) => m.email === leaver.email)).toBe(false);
    const idcBefore: IdcUser[] = await all(t.ports.identityStore.listUsers());
    expect(idcBefore.some((u) => u.userId === leaver.idcUserId)).toBe(true);
    const sync = await post('sync', {});
    expect(sync.status).toBe(200);
    const events = sync.body.events as Array<{ detail: { eventName: string; eventID: string } }>;
    expect(events.map((e) => e.detail.eventName)).toEqual(['DeleteUser']);
    const idcAfter: IdcUser[] = await all(t.ports.identityStore.listUsers());
    expect(idcAfter.some((u) => u.userId === leaver.idcUserId)).toBe(false);
    // CloudTrail holds the call too (LookupEvents lists every management event).
    const lookup = await lookupEvents({
      LookupAttributes: [
        { AttributeKey: 'EventSource', AttributeValue: 'identitystore-scim.amazonaws.com' },
      ],
    });
    expect(lookup.Events?.map((e) => e.EventId)).toEqual([events[0]?.detail.eventID]);
  });

  it('join, sync, new-user: the joiner is listed by Google, IdC and QuickSight; CloudTrail has the CreateUser', async () => {
    const org = t.sandbox.org;
    const email = 'nora.quinn@example.com';
    const joined = await post('join', { email, group: 'quicksight-readers', role: 'READER' });
    expect(joined.status).toBe(200);
    expect((await members(org.groupEmails.readers)).some((m) => m.email === email)).toBe(true);
    expect((await post('new-user', { email })).body.error).toMatch(/has no IdC user/);
    const sync = await post('sync', {});
    expect(sync.body.created).toEqual([{ userId: expect.any(String), userName: email }]);
    const idc: IdcUser[] = await all(t.ports.identityStore.listUsers());
    expect(idc.some((u) => u.userName === email)).toBe(true);
    const created = await post('new-user', { email });
    expect(created.status).toBe(200);
    const qs: QuickSightUser[] = await all(t.ports.quickSight.listUsers());
    expect(qs.find((u) => u.userName === created.body.userName)).toMatchObject({
      role: 'READER',
      email,
    });
    const lookup = await lookupEvents({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }],
    });
    expect(lookup.Events?.map((e) => e.EventId)).toContain(created.body.eventId);
  });

  it('activity: LookupEvents returns the call at the asked time', async () => {
    const reader = t.sandbox.org.people.find((p) => p.kind === 'reader' && p.groups.length > 0);
    const added = await post('activity', { email: reader?.email, daysAgo: 2 });
    expect(added.status).toBe(200);
    const at = Date.parse(added.body.eventTime as string);
    expect(Math.abs(Date.now() - 2 * 86_400_000 - at)).toBeLessThan(5_000);
    const lookup = await lookupEvents({
      LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: added.body.eventId as string }],
    });
    expect(lookup.Events?.[0]).toMatchObject({
      EventName: 'GetDashboard',
      EventTime: new Date(at),
    });
  });

  it('refuses what the services refuse (400, nothing changed) and unknown controls (404)', async () => {
    const org = t.sandbox.org;
    const size = t.sandbox.cloudTrailState.size;
    const reader = org.people.find((p) => p.kind === 'reader' && p.groups.length > 0);
    const cases: Array<[string, unknown, RegExp]> = [
      ['leave', { email: 'nobody@example.com' }, /no one with e-mail/],
      ['leave', { email: reader?.email, group: org.groupEmails.authors }, /is not a member of/],
      ['join', { email: reader?.email, group: org.groupEmails.readers }, /already a member/],
      ['move', { email: reader?.email, from: 'x', to: 'y' }, /--from: no Google group/],
      ['activity', { email: reader?.email, daysAgo: 400 }, /--days-ago/],
      ['activity', '[1]', /expected a JSON object/],
      ['join', '{', /not JSON/],
    ];
    for (const [name, body, message] of cases) {
      const answer = await post(name, body);
      expect(answer.status, name).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
    expect(t.sandbox.cloudTrailState.size).toBe(size);
    expect((await post('vanish', {})).status).toBe(404);
  });

  it('a control endpoint started without a world has no world routes', async () => {
    const bare = await startControlServer({
      faults: {
        quicksight: new Faults(),
        identitystore: new Faults(),
        google: new Faults(),
        cloudtrail: new Faults(),
        ses: new Faults(),
      },
      dynamo: { running: true } as DynamoServer,
    });
    try {
      const res = await fetch(`${bare.url}/world/sync`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
