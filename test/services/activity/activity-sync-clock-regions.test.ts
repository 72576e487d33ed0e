import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { sleep } from '../../../shared/retry.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync activity sync` against CloudTrail's clock and regions, end to end on the sandbox (the
 * real CloudTrail client, the regional LookupEvents stand-in, dynalite):
 * - a local clock off CloudTrail's by more than 5 minutes is refused (exit 2) before anything is
 *   covered, and a sync with a right clock afterwards reads the span the fast clock would have
 *   claimed;
 * - every region of IDSYNC_ACTIVITY_REGIONS is read; the account's coverage is where all are;
 * - a CloudTrail failure exits 4 with one line, the other regions' work and every cursor saved.
 * The local clock cannot be moved under the CLI, so the stand-in's is moved the other way
 * (`clock.offsetMs`): CloudTrail 3 days behind is this machine 3 days ahead.
 */

const DAY = 86_400_000;
const LAG = 15 * 60_000;
const WEST = 'eu-west-1';
const random = mulberry32(21);

let t: TestSandbox;
let store: DynamoActivityStore;
let home: string;
beforeAll(async () => {
  t = await startTestSandbox({ org: smallOrg(), activity: { events: 120, seed: 9 } });
  store = new DynamoActivityStore(t.doc, t.names.activity);
  home = t.sandbox.org.region;
  await snapshotOk(t.sandbox);
}, 60_000);
afterAll(async () => t.close());
beforeEach(() => {
  t.sandbox.cloudTrail.clock.offsetMs = 0;
  t.sandbox.cloudTrail.delivery.delayMs = 0;
  for (const f of t.sandbox.cloudTrail.regionFaults.values())
    f.configure({ bucket: { rate: 2, burst: 2 } });
});

/** A Reader signed in through IAM federation, and the key of its activity record. */
function federatedReader(skip = 0) {
  const users = t.sandbox.org.quickSight
    .list()
    .filter((u) => u.role === 'READER' && u.identityType === 'IAM' && u.userName.includes('/'));
  const user = users[skip];
  if (!user) throw new Error('no federated Reader in the organisation');
  const slash = user.userName.lastIndexOf('/');
  return {
    user,
    key: activityKey(t.sandbox.org.namespace, activityUserName(user)),
    event: (time: Date, region: string) =>
      quickSightEvent({
        accountId: t.sandbox.org.accountId,
        region,
        time,
        eventName: 'GetDashboard',
        actor: {
          kind: 'federated',
          roleName: user.userName.slice(0, slash),
          session: user.userName.slice(slash + 1),
        },
        random,
      }),
  };
}

const wholeSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/*
 * The control items, by their documented keys (docs/DATA-MODEL.md; read raw, so that these
 * tests also run, and fail for what they test, against a version without regions).
 */
const LEGACY_KEY = '#cursor#cloudtrail';
const keyOf = (region: string) => `#cursor#cloudtrail#${region}`;

async function cursorItem(region: string) {
  const out = await t.doc.send(
    new GetCommand({ TableName: t.names.activity, Key: { userKey: keyOf(region) } }),
  );
  return out.Item as
    | { covered?: { from: string; to: string }; window?: { pages: number } }
    | undefined;
}

/** Forgets what was synced in the home region (its cursor and that of earlier versions). */
async function forgetHomeCursor() {
  for (const key of [LEGACY_KEY, keyOf(home), '#regions#cloudtrail'])
    await t.doc.send(new DeleteCommand({ TableName: t.names.activity, Key: { userKey: key } }));
}
const sync = (env: Record<string, string> = {}) =>
  runCliOn(t.sandbox, ['activity', 'sync', '--days', '90', '--json'], env);

describe("activity sync and CloudTrail's clock", () => {
  it('a local clock 3 days ahead: exit 2, nothing covered; a sync with a right clock reads the span', async () => {
    await forgetHomeCursor();
    const reader = federatedReader(0);
    // Activity 2 days ago: in the span a clock 3 days fast would have claimed as read.
    const at = wholeSecond(Date.now() - 2 * DAY);
    t.sandbox.cloudTrailState.add([reader.event(at, home)]);
    t.sandbox.cloudTrail.clock.offsetMs = -3 * DAY;
    const fast = await sync();
    expect(fast.code, fast.stderr).toBe(2);
    expect(fast.stderr).toMatch(/this machine's clock is 3 days ahead of CloudTrail's/);
    expect(fast.stderr).toMatch(/fix the clock \(NTP\) and run again; nothing was marked covered/);
    expect(await store.coverage()).toEqual({});
    expect((await cursorItem(home))?.covered).toBeUndefined();

    t.sandbox.cloudTrail.clock.offsetMs = 0;
    const right = await sync();
    expect(right.code, right.stderr).toBe(0);
    expect((await store.get(reader.key))?.last?.at).toBe(at.toISOString());
    const covered = (await store.coverage()).cloudtrail;
    expect(Date.parse(covered?.to ?? '')).toBeLessThanOrEqual(Date.now() - LAG);
  }, 60_000);

  it('a clock 10 minutes fast while CloudTrail delivers late: refused; nothing it had not delivered is claimed', async () => {
    await forgetHomeCursor();
    const reader = federatedReader(1);
    // CloudTrail's time is 10 minutes behind this machine (within SigV4's 15 minutes, so
    // CloudTrail answers) and it delivers events 15 minutes late (its documented worst case).
    t.sandbox.cloudTrail.clock.offsetMs = -10 * 60_000;
    t.sandbox.cloudTrail.delivery.delayMs = LAG;
    // 8 minutes ago by CloudTrail's clock: not yet delivered, yet before this machine's now − lag.
    const at = wholeSecond(Date.now() - 10 * 60_000 - 8 * 60_000);
    t.sandbox.cloudTrailState.add([reader.event(at, home)]);
    const fast = await sync();
    expect(fast.code, fast.stderr).toBe(2);
    expect(fast.stderr).toMatch(/clock is 10(\.\d)? minutes ahead of CloudTrail's/);
    // Later, with the clock fixed and the event delivered, the sync reads it.
    t.sandbox.cloudTrail.clock.offsetMs = 0;
    t.sandbox.cloudTrail.delivery.delayMs = 0;
    await sleep(1000);
    const right = await sync();
    expect(right.code, right.stderr).toBe(0);
    expect((await store.get(reader.key))?.last?.at).toBe(at.toISOString());
  }, 60_000);
});

describe('activity sync over several regions', () => {
  it('reads every region of IDSYNC_ACTIVITY_REGIONS; the account is covered where all are', async () => {
    const reader = federatedReader(2);
    const at = wholeSecond(Date.now() - 40 * 60_000);
    t.sandbox.cloudTrailState.add([reader.event(at, WEST)]);
    const before = t.sandbox.cloudTrail.faultsFor(WEST).counters.calls;
    const out = await sync({ IDSYNC_ACTIVITY_REGIONS: `${home},${WEST}` });
    expect(out.code, out.stderr).toBe(0);
    expect((await store.get(reader.key))?.last?.at).toBe(at.toISOString());
    const summary = JSON.parse(out.stdout);
    expect(summary.regions.map((r: { region: string }) => r.region)).toEqual([home, WEST]);
    expect(summary.failed).toEqual([]);
    expect(t.sandbox.cloudTrail.faultsFor(WEST).counters.calls).toBeGreaterThan(before);
    // The new region was read over the 90 days: the account's coverage is the intersection.
    const west = (await cursorItem(WEST))?.covered;
    const east = (await cursorItem(home))?.covered;
    expect(west).toBeDefined();
    const coverage = (await store.coverage()).cloudtrail;
    expect(coverage?.from).toBe(
      Date.parse(west?.from ?? '') > Date.parse(east?.from ?? '') ? west?.from : east?.from,
    );
    expect(summary.covered).toEqual(coverage);
  }, 90_000);

  it('one region failing: the other is read and saved, coverage stops at the failed region, exit 4', async () => {
    const regions = { IDSYNC_ACTIVITY_REGIONS: `${home},${WEST}` };
    // The second region read up to 2 days ago only.
    const westTo = new Date(Date.now() - 2 * DAY).toISOString();
    await t.doc.send(
      new PutCommand({
        TableName: t.names.activity,
        Item: {
          userKey: keyOf(WEST),
          covered: { from: new Date(Date.now() - 80 * DAY).toISOString(), to: westTo },
          updatedAt: new Date().toISOString(),
          version: 50,
        },
      }),
    );
    // And the home region from nothing (an event before its coverage's end would never be read).
    await forgetHomeCursor();
    const reader = federatedReader(3);
    const at = wholeSecond(Date.now() - 30 * 60_000);
    t.sandbox.cloudTrailState.add([reader.event(at, home)]);
    t.sandbox.cloudTrail.faultsFor(WEST).configure({ errorRate: 1 });
    const out = await sync(regions);
    expect(out.code, out.stderr).toBe(4);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`CloudTrail failed in ${WEST}: .*InternalFailure`));
    const summary = JSON.parse(out.stdout);
    expect(summary.failed).toEqual([WEST]);
    expect(summary.regions.find((r: { region: string }) => r.region === WEST).error).toMatch(
      /InternalFailure/,
    );
    // The healthy region's record and cursor are written …
    expect((await store.get(reader.key))?.last?.at).toBe(at.toISOString());
    expect(Date.parse((await cursorItem(home))?.covered?.to ?? '')).toBeGreaterThanOrEqual(
      at.getTime(),
    );
    // … but the account is covered only as far as the failed region read.
    expect((await store.coverage()).cloudtrail?.to).toBe(westTo);

    t.sandbox.cloudTrail.faultsFor(WEST).configure({ bucket: { rate: 2, burst: 2 } });
    const rerun = await sync(regions);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(Date.parse((await store.coverage()).cloudtrail?.to ?? '')).toBeGreaterThan(
      Date.parse(westTo ?? ''),
    );
  }, 90_000);

  it('a CloudTrail failure mid-window exits 4 with one line; the cursor is saved and the rerun resumes', async () => {
    // Only the home region (the default); start from nothing so there are pages to read.
    await forgetHomeCursor();
    const faults = t.sandbox.cloudTrail.faults;
    const from = faults.counters.calls;
    const running = sync();
    while (faults.counters.calls - from < 2) await sleep(10);
    faults.configure({ bucket: { rate: 2, burst: 2 }, errorRate: 1 });
    const out = await running;
    expect(out.code, out.stderr).toBe(4);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/CloudTrail failed in .*LookupEvents failed after 6 attempts/);
    faults.configure({ bucket: { rate: 2, burst: 2 } });
    expect((await cursorItem(home))?.window?.pages).toBeGreaterThanOrEqual(1);
    const rerun = await sync();
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ resumed: true, caughtUp: true });
  }, 90_000);
});
