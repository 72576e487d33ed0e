import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { sleep } from '../../../shared/retry.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync activity sync` and `activity import` end to end on the sandbox: the real CloudTrail
 * client against the LookupEvents stand-in (2 calls a second), dynalite, a SIGKILLed child.
 */

const BIN = fileURLToPath(new URL('../../../bin/idsync.js', import.meta.url));
const EVENTS = 600;

let t: TestSandbox;
let store: DynamoActivityStore;
beforeAll(async () => {
  t = await startTestSandbox({ org: smallOrg(), activity: { events: EVENTS, seed: 5 } });
  store = new DynamoActivityStore(t.doc, t.names.activity);
  await snapshotOk(t.sandbox);
}, 60_000);
afterAll(async () => t.close());

/** Every record by key. */
async function records() {
  const out = new Map<string, Awaited<ReturnType<DynamoActivityStore['get']>>>();
  for await (const page of store.all()) for (const r of page) out.set(r.userKey, r);
  return out;
}

/** What the generator says each QuickSight user did, against what the record holds. */
async function expectRecordMatchesGenerator() {
  const byKey = await records();
  const ns = t.sandbox.org.namespace;
  const people = t.sandbox.org.people.flatMap((p) => p.quickSightUsers);
  for (const u of t.sandbox.activity.users) {
    const qs = people.find((p) => p.userName === u.userName);
    const key = activityKey(ns, activityUserName(qs ?? u));
    const rec = byKey.get(key);
    if (u.lastActiveAt) expect(rec?.last?.at, u.userName).toBe(u.lastActiveAt);
    else expect(rec?.last, u.userName).toBeUndefined();
    if (u.registeredAt) expect(rec?.created?.at, u.userName).toBe(u.registeredAt);
  }
}

describe('activity sync', () => {
  const pagesNeeded = () => Math.ceil(t.sandbox.cloudTrailState.size / 50);

  it('Ctrl-C stops after the current page with the cursor saved, exit 4', async () => {
    const calls = t.sandbox.cloudTrail.faults.counters;
    const before = calls.calls;
    const child = spawn(process.execPath, [BIN, 'activity', 'sync', '--json'], {
      env: { ...process.env, ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (calls.calls - before < 2) {
      if (child.exitCode !== null) throw new Error('sync ended early');
      await sleep(20);
    }
    child.kill('SIGINT');
    expect(await exited).toBe(4);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ stopped: true, caughtUp: false });
    const cursor = await store.cursorOf(t.sandbox.org.region).getCursor();
    expect(cursor.window?.pages).toBe(summary.pages);
    expect(summary.pages).toBeLessThan(pagesNeeded());
  }, 60_000);

  it('a SIGKILL mid-way, then a rerun: every event read, the window not started over', async () => {
    const calls = t.sandbox.cloudTrail.faults.counters;
    const before = calls.calls;
    const throttledBefore = calls.throttled;
    const child = spawn(process.execPath, [BIN, 'activity', 'sync', '--json'], {
      env: { ...process.env, ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    while (calls.calls - before < 4) {
      if (child.exitCode !== null) throw new Error(`sync ended early: ${stderr}`);
      await sleep(20);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const cursor = await store.cursorOf(t.sandbox.org.region).getCursor();
    expect(cursor.window?.pages).toBeGreaterThanOrEqual(2);
    expect(cursor.covered).toBeUndefined();

    const started = performance.now();
    const rerun = await runCliOn(t.sandbox, ['activity', 'sync', '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.resumed).toBe(true);
    expect(summary.caughtUp).toBe(true);
    // The resumed window was read once in all (its page count spans both runs), the rerun read
    // only the pages the killed run had not stored, and then caught up the seconds since the
    // first run began (one more, empty, page). At most the page in flight at the kill is read twice.
    const resumedWindow = summary.windows[0];
    expect(resumedWindow).toMatchObject({ kind: 'backfill', finished: true, pages: pagesNeeded() });
    expect(resumedWindow.events).toBe(t.sandbox.cloudTrailState.size);
    const storedByKilled = cursor.window?.pages ?? 0;
    expect(summary.pages).toBe(pagesNeeded() - storedByKilled + 1);
    const total = calls.calls - before;
    // Each of the two runs first asked CloudTrail its time (one call each, run-activity-sync.ts).
    expect(total).toBeLessThanOrEqual(pagesNeeded() + 2 + 2);
    // Paced, not throttled: 2 calls a second sustained, also across the kill (the rerun's first
    // call waits one interval, as the killed run may have called just before it died).
    expect(calls.throttled - throttledBefore).toBe(0);
    expect(seconds).toBeGreaterThanOrEqual((summary.pages - 2) / 2);
    expect(summary.windows.at(-1)).toMatchObject({ kind: 'catch-up', finished: true, events: 0 });
    await expectRecordMatchesGenerator();
    // The noise (idsync's own calls, automation sessions, failed calls of idle users) made no
    // record: every record is a QuickSight user of the organisation.
    const known = new Set(
      t.sandbox.org.people
        .flatMap((p) => p.quickSightUsers)
        .map((u) => activityKey(t.sandbox.org.namespace, activityUserName(u))),
    );
    for (const key of (await records()).keys()) expect(known.has(key), key).toBe(true);
    expect(t.sandbox.activity.noise).toBeGreaterThan(0);
  }, 90_000);

  it('running it again changes nothing', async () => {
    const before = await records();
    const again = await runCliOn(t.sandbox, ['activity', 'sync', '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.written).toBe(0);
    expect(summary.events).toBe(0);
    expect(summary.pages).toBeLessThanOrEqual(1);
    const after = await records();
    expect(after).toEqual(before);
  }, 30_000);

  it('refuses --days outside 1-90', async () => {
    const out = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '91']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--days must be a whole number from 1 to 90/);
  });
});

describe('activity import', () => {
  const ns = () => t.sandbox.org.namespace;
  let fileNo = 0;
  const csvFile = (lines: string[]) => {
    const file = join(tmpdir(), `idsync-activity-${process.pid}-${fileNo++}.csv`);
    writeFileSync(file, lines.join('\r\n'));
    return file;
  };
  /** A Reader whose record holds no activity after `before` (the sync ran above). */
  async function quietReader(before: string, skip: readonly string[] = []) {
    for (const person of t.sandbox.org.people) {
      const user = person.quickSightUsers[0];
      if (person.kind !== 'reader' || person.mixedCase || person.quickSightUsers.length !== 1)
        continue;
      if (!user || skip.includes(person.email)) continue;
      const rec = await store.get(activityKey(ns(), activityUserName(user)));
      if (!rec?.last || rec.last.at < before) return { person, user, rec };
    }
    throw new Error(`no Reader without activity after ${before}`);
  }

  it('imports last-active dates up to --as-of, reports bad lines with audit rows, exits 4', async () => {
    const { person, user } = await quietReader('2026-11-01');
    const file = csvFile([
      '\uFEFFEmail, Last_Active ',
      `  ${person.email.toUpperCase()} ,2026-11-20`,
      `${person.email},2026-11-01T10:00:00Z`,
      'nobody@example.com,2026-11-01',
      'not-an-email,2026-11-01',
      `${person.email},2026-11-01T10:00:00`,
      `${person.email},yesterday`,
      '',
    ]);
    const out = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      '2026-11-25T00:00:00Z',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(4);
    const summary = JSON.parse(out.stdout);
    expect(summary.duplicates).toBe(1);
    expect(summary.errors.map((e: { line: number }) => e.line)).toEqual([4, 5, 6, 7]);
    expect(summary.refused).toMatchObject({ unknown_user: 1, bad_user: 1, unreadable_date: 2 });
    const rec = await store.get(activityKey(ns(), user.userName));
    expect(rec?.spans.import).toEqual({
      from: '2026-11-21T11:59:59.999Z',
      to: '2026-11-25T00:00:00.000Z',
    });
    const audit = await t.doc.send(
      new QueryCommand({
        TableName: t.names.audit,
        KeyConditionExpression: 'runId = :r',
        ExpressionAttributeValues: { ':r': summary.runId },
      }),
    );
    expect(audit.Items?.map((i) => i.kind)).toEqual(Array(4).fill('input_error'));
    expect(audit.Items?.every((i) => i.source === 'activity-import')).toBe(true);
  });

  it('an import alone claims "nothing since" only up to the export\'s date, never to the import', async () => {
    const { person, user } = await quietReader('2026-01-05', [
      t.sandbox.org.people.find((p) => p.kind === 'reader' && !p.mixedCase)?.email ?? '',
    ]);
    const file = csvFile(['email,last_active', `${person.email},2026-01-05T00:00:00Z`]);
    const out = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      '2026-03-01T00:00:00Z',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const rec = await store.get(activityKey(ns(), user.userName));
    expect(rec?.spans.import).toEqual({
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
    });
  });

  it('refuses a missing, future or pre-2015 --as-of (exit 2, naming the flag)', async () => {
    const file = csvFile(['email,last_active', 'x@example.com,2026-01-05']);
    const missing = await runCliOn(t.sandbox, ['activity', 'import', '--csv', file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --as-of DATE/);
    const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
    const future = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      ahead,
    ]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--as-of .* is in the future/);
    const old = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      '2014-06-01',
    ]);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/before 2015/);
  });

  it('refuses impossible dates, dates before 2015 and unknown user names row by row', async () => {
    const { user } = await quietReader('2026-12-31');
    const file = csvFile([
      'username,last_active',
      `${user.userName},2026-02-30T10:00Z`,
      `${user.userName},1970-01-01`,
      'ghost-user-never-listed,2026-11-01',
      `${user.userName},2026-13-01`,
      `${user.userName},2026-11-30T24:00Z`,
    ]);
    const before = await store.get(activityKey(ns(), user.userName));
    const out = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      '2026-12-01T00:00Z',
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(4);
    const summary = JSON.parse(out.stdout);
    expect(summary).toMatchObject({ written: 0, users: 0, refusedRows: 5 });
    expect(summary.refused).toMatchObject({ impossible_date: 3, before_2015: 1, unknown_user: 1 });
    expect(summary.errors.map((e: { line: number; why: string }) => [e.line, e.why])).toEqual([
      [2, 'impossible_date'],
      [3, 'before_2015'],
      [4, 'unknown_user'],
      [5, 'impossible_date'],
      [6, 'impossible_date'],
    ]);
    expect(await store.get(activityKey(ns(), user.userName))).toEqual(before);
    const text = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      '2026-12-01T00:00Z',
    ]);
    expect(text.stdout).toMatch(/0 records written/);
    expect(text.stdout).toMatch(
      /5 rows refused \(1 unknown user, 3 impossible date, 1 before 2015\)/,
    );
    expect(text.stdout).toMatch(/line 2: "2026-02-30T10:00Z" is not a time of the calendar/);
  });

  it('an older export never outweighs newer CloudTrail activity: last stays, no "nothing since" span', async () => {
    const byKey = await records();
    const rec = [...byKey.values()].find(
      (r) =>
        r?.last?.source === 'cloudtrail' &&
        r.spans.import === undefined &&
        !r.userName.startsWith('N/A'),
    );
    if (!rec?.last) throw new Error('no user with CloudTrail activity');
    const person = t.sandbox.org.people.find((p) =>
      p.quickSightUsers.some((u) => activityKey(ns(), u.userName) === rec.userKey),
    );
    if (!person) throw new Error(`no person for ${rec.userKey}`);
    const older = new Date(Date.parse(rec.last.at) - 10 * 86_400_000).toISOString();
    const file = csvFile(['email,last_active', `${person.email},${older}`]);
    const out = await runCliOn(t.sandbox, [
      'activity',
      'import',
      '--csv',
      file,
      '--as-of',
      new Date().toISOString(),
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).contradicted).toBeGreaterThanOrEqual(1);
    const after = await store.get(rec.userKey);
    expect(after?.last).toEqual(rec.last);
    // The export said "nothing since <older>" but CloudTrail saw activity after it: no span.
    expect(after?.spans.import).toBeUndefined();
  });
});
