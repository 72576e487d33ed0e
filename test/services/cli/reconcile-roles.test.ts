import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrg, SMALL_SPEC } from '../../../services/sandbox/scenarios/org.js';
import { runCliOn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Role follows group on the sandbox, through the real command: a person moved from the readers
 * group to the authors group gets AUTHOR with one UpdateUser; moved back, READER; every change
 * is audited once; no IAM Identity Center user is ever written.
 */

interface ReconcileJson {
  plan: {
    plan: {
      decisions: Array<{
        email: string;
        decision: string;
        targetRole?: string;
        quickSightUser?: { userName: string; role: string; identityType: string };
      }>;
    };
  };
}

describe('reconcile with IDSYNC_GROUP_ROLES on the sandbox', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestSandbox({ org: buildOrg({ ...SMALL_SPEC, readers: 20 }, 21) });
    const g = t.sandbox.org.groupEmails;
    env = {
      IDSYNC_GROUP_ROLES: `${g.readers}=READER,${g.authors}=AUTHOR`,
      IDSYNC_PROTECTED_ROLES: 'ADMIN,ADMIN_PRO',
      IDSYNC_MAX_DELETION_PERCENT: '100',
    };
  }, 60_000);
  afterAll(async () => t?.close());

  it('moved readers → authors gets AUTHOR; moved back gets READER; IdC users never written', async () => {
    const org = t.sandbox.org;
    const qs = org.quickSight;
    const person = org.people.find(
      (p) =>
        p.kind === 'reader' &&
        !p.protected &&
        p.quickSightUsers.length === 1 &&
        p.quickSightUsers[0]?.identityType === 'IAM',
    );
    if (!person) throw new Error('no IAM reader in the org');
    const userName = person.quickSightUsers[0]?.userName as string;
    const member = org.google
      .directMembers(org.groupEmails.readers)
      .find((m) => m.email === person.email);
    if (!member) throw new Error('reader not in the readers group');

    // The org as built: whatever its roles already differ in is settled first.
    const settle = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(settle.code).toBe(0);
    const before = qs.updates.get(userName) ?? 0;

    org.google.removeMember(org.groupEmails.readers, person.email);
    org.google.addMember(org.groupEmails.authors, member);
    const up = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(up.code).toBe(0);
    const upPlan = JSON.parse(up.stdout) as ReconcileJson;
    expect(
      upPlan.plan.plan.decisions
        .filter((d) => d.email === person.email)
        .map((d) => [d.decision, d.targetRole]),
    ).toEqual([['upgrade', 'AUTHOR']]);
    expect(qs.get(userName)?.role).toBe('AUTHOR');
    expect(qs.get(userName)?.email).toBe(person.quickSightUsers[0]?.email);
    expect((qs.updates.get(userName) ?? 0) - before).toBe(1);

    org.google.removeMember(org.groupEmails.authors, person.email);
    org.google.addMember(org.groupEmails.readers, member);
    const down = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(down.code).toBe(0);
    expect(qs.get(userName)?.role).toBe('READER');
    expect((qs.updates.get(userName) ?? 0) - before).toBe(2);

    // Nothing more to do: a rerun changes nothing.
    const again = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(again.code).toBe(0);
    expect((qs.updates.get(userName) ?? 0) - before).toBe(2);

    // Every change audited once: one role_changed outcome row per UpdateUser of this user.
    const audit = await runCliOn(t.sandbox, ['audit', '--email', person.email, '--json'], env);
    if (!audit.stdout.trim()) throw new Error(`audit printed nothing: ${audit.stderr}`);
    type Row = { kind?: string; outcome?: string; decision?: string };
    const text = audit.stdout.trim();
    const rows: Row[] = text.startsWith('[')
      ? (JSON.parse(text) as Row[])
      : text
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Row);
    expect(rows.length).toBeGreaterThan(0);
    const changed = rows.filter((r) => r.kind === 'outcome' && r.outcome === 'role_changed');
    expect(changed.map((r) => r.decision).sort()).toEqual(['downgrade', 'upgrade']);

    const idcWrites = qs
      .list()
      .filter((u) => u.identityType === 'IAM_IDENTITY_CENTER')
      .map((u) => qs.updates.get(u.userName) ?? 0);
    expect(idcWrites.every((n) => n === 0)).toBe(true);
  });
});
