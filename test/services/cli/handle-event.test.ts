import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { applyMembershipChange, removePeople } from '../../../services/sandbox/sync-simulator.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

describe('idsync handle-event on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-events-'));
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('resolves SCIM-masked DeleteUser events through the identity map; a dry run leaves no trace, --apply then deletes', async () => {
    const org = t.sandbox.org;
    const { events, leavers } = removePeople(org, { count: 3 });
    const path = file('delete.jsonl', `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const before = org.quickSight.size;
    const result = await runCliOn(t.sandbox, ['handle-event', path, '--json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.outcomes.map((o: { status: string }) => o.status)).toEqual([
      'resolved',
      'resolved',
      'resolved',
    ]);
    expect(out.outcomes.map((o: { email: string }) => o.email).sort()).toEqual(
      [...leavers.emails].sort(),
    );
    expect(out.plan.plan.counts.delete).toBe(3);
    expect(out.plan.tasks).toMatchObject({ created: 0, blocked: 0 });
    expect(org.quickSight.size).toBe(before);

    // The dry run recorded nothing: the same file with --apply acts on every event.
    const applied = await runCliOn(t.sandbox, ['handle-event', path, '--apply', '--json']);
    expect(applied.code).toBe(0);
    const done = JSON.parse(applied.stdout);
    expect(done.outcomes.map((o: { status: string }) => o.status)).toEqual([
      'resolved',
      'resolved',
      'resolved',
    ]);
    expect(done.applied.deleted).toBe(3);
    expect(org.quickSight.size).toBe(before - 3);

    const again = JSON.parse((await runCliOn(t.sandbox, ['handle-event', path, '--json'])).stdout);
    expect(again.outcomes.map((o: { status: string }) => o.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  });

  it('reports bad input, unknown ids and other events with exit 4 and never deletes', async () => {
    const org = t.sandbox.org;
    const unknown = removePeople(org, { count: 1 }).events[0];
    if (!unknown) throw new Error('no event');
    const detail = {
      ...unknown.detail,
      requestParameters: { tenantId: 't', id: '99999999-0000-0000-0000-000000000000' },
      eventID: 'unknown-1',
    };
    const text = [
      JSON.stringify({ ...unknown, id: 'x-1', detail }),
      '{"truncated": ',
      JSON.stringify({
        ...unknown,
        id: 'x-2',
        detail: { ...unknown.detail, eventName: 'ListUsers', eventID: 'other-1' },
      }),
    ].join('\n');
    const before = org.quickSight.size;
    const result = await runCliOn(t.sandbox, ['handle-event', file('bad.jsonl', text)]);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/rejected/);
    expect(result.stdout).toMatch(/unresolved/);
    expect(result.stdout).toMatch(/not in the identity map/);
    expect(org.quickSight.size).toBe(before);
  });

  it('a user created and deleted between two snapshots is still resolved (CreateUser refreshes the map)', async () => {
    const org = t.sandbox.org;
    const email = 'newcomer@example.com';
    const created = applyMembershipChange(org, {
      add: [{ group: org.groupEmails.readers, email }],
    });
    expect(created.created).toHaveLength(1);
    const createFile = file('create.json', JSON.stringify(created.events));
    // A dry run does not write the identity map; --apply does.
    const dry = JSON.parse(
      (await runCliOn(t.sandbox, ['handle-event', createFile, '--json'])).stdout,
    );
    expect(dry.outcomes[0]).toMatchObject({ status: 'refreshed', email });
    const refreshed = JSON.parse(
      (await runCliOn(t.sandbox, ['handle-event', createFile, '--apply', '--json'])).stdout,
    );
    expect(refreshed.outcomes[0]).toMatchObject({ status: 'refreshed', email });
    const deleted = applyMembershipChange(org, {
      remove: [{ group: org.groupEmails.readers, email }],
    });
    const resolved = JSON.parse(
      (
        await runCliOn(t.sandbox, [
          'handle-event',
          file('gone.json', JSON.stringify(deleted.events[0])),
          '--json',
        ])
      ).stdout,
    );
    expect(resolved.outcomes[0]).toMatchObject({ status: 'resolved', email });
    expect(resolved.plan.plan.counts.not_found).toBe(1);
  });

  it('a missing file is a usage error (exit 2)', async () => {
    const result = await runCliOn(t.sandbox, ['handle-event', '/no/such/file']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read \/no\/such\/file/);
  });
});
