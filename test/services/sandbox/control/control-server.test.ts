import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../../services/sandbox/scenarios/org.js';
import {
  runCliOn,
  snapshotOk,
  startTestSandbox,
  type TestSandbox,
} from '../../../helpers/sandbox.js';

/** `idsync sandbox fault|dynamodb|state` against a running sandbox's control endpoint. */
describe('sandbox control from outside', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let control: string;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), control: true });
    control = t.sandbox.env.IDSYNC_SANDBOX_CONTROL as string;
  }, 120_000);
  afterAll(() => t?.close());

  it('prints the control URL with the environment, behind a token', async () => {
    expect(control).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{24}$/);
    const origin = new URL(control).origin;
    expect((await fetch(`${origin}/state`)).status).toBe(404);
  });

  it('changes faults at run time (IDSYNC_SANDBOX_CONTROL or --control), all or none', async () => {
    const set = await runCliOn(t.sandbox, [
      'sandbox',
      'fault',
      'qs.errorRate=0.5',
      'idc.latencyMs=20',
    ]);
    expect(set.code).toBe(0);
    expect(t.sandbox.quickSight.faults.current).toEqual({ errorRate: 0.5 });
    expect(t.sandbox.identityStore.faults.current).toEqual({ latencyMs: 20 });
    const bad = await runCliOn(t.sandbox, ['sandbox', 'fault', 'qs=off', 'qs.errorRate=7'], {
      IDSYNC_SANDBOX_CONTROL: '',
    }).then(() =>
      runCliOn(t.sandbox, ['sandbox', 'fault', 'qs=off', 'qs.errorRate=7', '--control', control]),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/errorRate must be a decimal number from 0 to 1/);
    expect(t.sandbox.quickSight.faults.current).toEqual({ errorRate: 0.5 });
    const json = await runCliOn(t.sandbox, ['--json', 'sandbox', 'fault', 'qs=off', 'idc=off']);
    expect(JSON.parse(json.stdout).faults.quicksight.settings).toEqual({});
    const state = await runCliOn(t.sandbox, ['sandbox', 'state']);
    expect(state.stdout).toMatch(/^dynamodb {5}running/);
    expect(state.stdout).toMatch(/quicksight +no faults/);
  });

  it('sets CloudTrail faults per region (ct, ct@REGION) and shows each region called', async () => {
    const set = await runCliOn(t.sandbox, [
      '--json',
      'sandbox',
      'fault',
      'ct@eu-west-1.errorRate=1',
      'ct.latencyMs=5',
    ]);
    expect(set.code, set.stderr).toBe(0);
    // Each region keeps LookupEvents' own limit (2 a second) under the knobs set.
    const west = { bucket: { rate: 2, burst: 2 }, errorRate: 1 };
    expect(t.sandbox.cloudTrail.faultsFor('eu-west-1').current).toEqual(west);
    expect(t.sandbox.cloudTrail.faults.current).toMatchObject({ latencyMs: 5 });
    expect(JSON.parse(set.stdout).faults['cloudtrail@eu-west-1'].settings).toEqual(west);
    await runCliOn(t.sandbox, ['sandbox', 'fault', 'ct@eu-west-1=off', 'ct.latencyMs=off']);
    expect(t.sandbox.cloudTrail.faultsFor('eu-west-1').current).toEqual({});
  });

  it('an injected fault reaches idsync: a QuickSight error burst makes the snapshot PARTIAL', async () => {
    await runCliOn(t.sandbox, ['sandbox', 'fault', 'qs.errorRate=1']);
    try {
      const partial = await runCliOn(t.sandbox, ['snapshot']);
      expect(partial.code).toBe(3);
    } finally {
      await runCliOn(t.sandbox, ['sandbox', 'fault', 'qs=off']);
    }
    await snapshotOk(t.sandbox);
  });

  it('DynamoDB stopped mid-run fails the clients cleanly; restarted, it serves the same data', async () => {
    await snapshotOk(t.sandbox);
    const user = t.sandbox.org.people.find((p) => p.idcUserId)?.idcUserId as string;
    expect((await runCliOn(t.sandbox, ['resolve', user])).code).toBe(0);
    // Stop it while a snapshot is writing: slow QuickSight pages keep the snapshot running.
    await runCliOn(t.sandbox, ['sandbox', 'fault', 'qs.latencyMs=400']);
    const running = runCliOn(t.sandbox, ['snapshot']);
    await new Promise((r) => setTimeout(r, 300));
    const stop = await runCliOn(t.sandbox, ['sandbox', 'dynamodb', 'stop']);
    expect(stop.stdout).toMatch(/^dynamodb {5}STOPPED/);
    const cut = await running;
    await runCliOn(t.sandbox, ['sandbox', 'fault', 'qs=off']);
    expect([3, 5]).toContain(cut.code);
    expect(`${cut.stdout}${cut.stderr}`).not.toMatch(/Database is closed|\n\s+at /);
    const down = await runCliOn(t.sandbox, ['resolve', user]);
    expect(down.code).toBe(5);
    expect(down.stderr).toBe(
      `idsync: DynamoDB at ${t.sandbox.dynamo.endpoint} is unreachable (ECONNREFUSED)\n`,
    );
    expect((await runCliOn(t.sandbox, ['sandbox', 'dynamodb', 'start'])).code).toBe(0);
    const back = await runCliOn(t.sandbox, ['resolve', user]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(user);
  });

  it('without a control URL, or with a dead one, says so (exit 2 / 5)', async () => {
    const none = await runCliOn(t.sandbox, ['sandbox', 'state'], { IDSYNC_SANDBOX_CONTROL: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no sandbox control URL/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const dead = await runCliOn(t.sandbox, [
      'sandbox',
      'state',
      '--control',
      `http://127.0.0.1:${port}/x`,
    ]);
    expect(dead.code).toBe(5);
    expect(dead.stderr).toMatch(/is unreachable \(ECONNREFUSED\); is `idsync sandbox` running\?/);
    const verb = await runCliOn(t.sandbox, ['sandbox', 'dynamodb', 'pause']);
    expect(verb.code).toBe(2);
  });
});
