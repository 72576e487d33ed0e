import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrg, SMALL_SPEC } from '../../../../services/sandbox/scenarios/org.js';
import { removeFromGroups, removePeople } from '../../../../services/sandbox/sync-simulator.js';
import {
  runCliOn,
  snapshotOk,
  startTestSandbox,
  type TestSandbox,
} from '../../../helpers/sandbox.js';

interface PlanJson {
  plan: {
    decisions: Array<{
      email: string;
      decision: string;
      quickSightUser?: { userName: string; role: string };
    }>;
    counts: Record<string, number>;
    guard: { tripped: boolean; howToOverride: string };
  };
  tasks: { created: number; existing: number; cancelled: number };
}

/** ≈430 QuickSight users: 39 deletions stay under the default 10 % guard. */
const midOrg = () => buildOrg({ ...SMALL_SPEC, readers: 400, authors: 6 }, 5);

describe('idsync plan on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: midOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => t?.close());

  it('finds 40 leavers (3 Authors, 1 protected) two snapshots later: 39 delete (Authors too), 1 protected', async () => {
    const org = t.sandbox.org;
    const strangers = org.people
      .filter((p) => p.kind === 'stranger')
      .flatMap((p) => p.quickSightUsers);
    const { leavers } = removePeople(org, { count: 40, includeAuthors: 3, includeProtected: 1 });
    await snapshotOk(t.sandbox);
    await snapshotOk(t.sandbox);
    const first = await runCliOn(t.sandbox, ['plan', '--json']);
    expect(first.code).toBe(0);
    const plan = JSON.parse(first.stdout) as PlanJson;
    // Authors are not protected by default (IDSYNC_PROTECTED_ROLES=ADMIN,ADMIN_PRO): their
    // assets are handed over before the deletion (services/removals/handover/).
    expect(plan.plan.counts).toMatchObject({ delete: 39, protected: 1, blocked: 0 });
    expect(
      plan.plan.decisions.filter((d) => d.quickSightUser?.role === 'AUTHOR').map((d) => d.decision),
    ).toEqual(['delete', 'delete', 'delete']);
    const protectedRoles = plan.plan.decisions
      .filter((d) => d.decision === 'protected')
      .map((d) => d.quickSightUser?.role)
      .sort();
    expect(protectedRoles).toEqual(['READER']);
    const planned = new Set(plan.plan.decisions.map((d) => d.email));
    expect([...planned].sort()).toEqual([...leavers.emails].sort());
    const touched = new Set(
      plan.plan.decisions.flatMap((d) => (d.quickSightUser ? [d.quickSightUser.userName] : [])),
    );
    for (const s of strangers) expect(touched.has(s.userName)).toBe(false);
    expect(plan.tasks.created).toBe(39);

    const again = JSON.parse((await runCliOn(t.sandbox, ['plan', '--json'])).stdout) as PlanJson;
    expect(again.plan.counts).toEqual(plan.plan.counts);
    expect(again.tasks).toMatchObject({ created: 0, existing: 39 });
    const text = await runCliOn(t.sandbox, ['plan']);
    expect(text.stdout).toMatch(/decisions: delete 39, not_found 0, protected 1/);
  });

  it('re-joining cancels the pending task', async () => {
    const org = t.sandbox.org;
    const plan = JSON.parse((await runCliOn(t.sandbox, ['plan', '--json'])).stdout) as PlanJson;
    const back = plan.plan.decisions.find((d) => d.decision === 'delete');
    if (!back) throw new Error('no delete decision');
    org.google.addMember(org.groupEmails.readers, {
      id: 'g-back',
      email: back.email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
    await snapshotOk(t.sandbox);
    const after = JSON.parse((await runCliOn(t.sandbox, ['plan', '--json'])).stdout) as PlanJson;
    expect(after.tasks.cancelled).toBe(1);
    expect(after.plan.counts.delete).toBe(38);
    expect(after.plan.decisions.some((d) => d.email === back.email)).toBe(false);
  });
});

describe('the plan guard on a small organisation', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: buildOrg({ ...SMALL_SPEC, readers: 60 }, 11) });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => t?.close());

  it('90 % of the group leaving → exit 3, nothing planned as delete, and the override is named', async () => {
    const org = t.sandbox.org;
    const readers = org.google
      .directMembers(org.groupEmails.readers)
      .filter((m) => m.type === 'USER');
    removeFromGroups(
      org,
      readers.slice(0, Math.floor(readers.length * 0.9)).map((m) => m.email),
    );
    await snapshotOk(t.sandbox);
    const result = await runCliOn(t.sandbox, ['plan', '--json']);
    expect(result.code).toBe(3);
    const plan = JSON.parse(result.stdout) as PlanJson;
    expect(plan.plan.guard.tripped).toBe(true);
    expect(plan.plan.counts.delete).toBe(0);
    expect(plan.plan.counts.blocked).toBeGreaterThan(0);
    expect(plan.tasks.created).toBe(0);
    expect(plan.plan.guard.howToOverride).toMatch(/--max-deletions/);
    const text = await runCliOn(t.sandbox, ['plan']);
    expect(text.stdout).toMatch(/GUARD TRIPPED/);
  });

  it('an emptied group → exit 3', async () => {
    const org = t.sandbox.org;
    org.google.clear(org.groupEmails.authors);
    await snapshotOk(t.sandbox);
    const result = await runCliOn(t.sandbox, ['plan', '--json', '--max-deletions', '1000']);
    expect(result.code).toBe(3);
    const plan = JSON.parse(result.stdout) as PlanJson & { plan: { guard: { reasons: string[] } } };
    expect(plan.plan.guard.reasons.join(' ')).toContain(org.groupEmails.authors);
  });
});
