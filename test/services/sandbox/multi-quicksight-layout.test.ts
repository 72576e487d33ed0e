import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_ACCOUNT_LABEL } from '../../../services/audit/report-accounts.js';
import { SECOND_NAMESPACE } from '../../../services/sandbox/scenarios/layouts.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import type { OrgPerson } from '../../../services/sandbox/scenarios/org-types.js';
import type { QuickSightState } from '../../../services/sandbox/state/quicksight-state.js';
import { removeFromGroups } from '../../../services/sandbox/sync-simulator.js';
import { DynamoAuditLog, type StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { Task } from '../../../shared/task.js';
import { runCliOn, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Several QuickSight accounts and namespaces (IDSYNC_QUICKSIGHT_ACCOUNTS), end to end through the
 * CLI on the sandbox's `multi-quicksight` layout: the organisation's account with namespaces
 * `default` and `sales`, and a second account reached only through its role (STS stand-in).
 * Reconcile finds each leaver's seats in every scope, deletes each in its own account and
 * namespace signed by that account's credentials, guards each account apart, and holds a task
 * whose scope is no longer configured.
 */
/** The guard's limits of these runs: 30% of each account's users and of all, 50 deletions. */
const LIMITS = { IDSYNC_MAX_DELETION_PERCENT: '30', IDSYNC_MAX_DELETIONS: '50' };

describe('the sandbox multi-quicksight layout', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let home: QuickSightState;
  let sales: QuickSightState;
  let other: QuickSightState;
  let secondRole: string;
  let snapshot: Awaited<ReturnType<typeof runCliOn>>;
  const startedAt = new Date().toISOString();

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), layout: 'multi-quicksight' });
    const [s, o] = t.sandbox.org.moreQuickSight ?? [];
    home = t.sandbox.org.quickSight;
    sales = s as QuickSightState;
    other = o as QuickSightState;
    secondRole = /@(.+)$/.exec(t.sandbox.env.IDSYNC_QUICKSIGHT_ACCOUNTS ?? '')?.[1] ?? '';
    snapshot = await runCliOn(t.sandbox, ['snapshot']);
  });
  afterAll(async () => t?.close());

  const tasks = () => new DynamoTaskStore(t.doc, t.names.tasks);
  const namesIn = (state: QuickSightState, person: OrgPerson) =>
    state.list().filter((u) => u.email === person.email);
  /** Ordinary readers with a seat in `state` (the layout's picks), in org order. */
  const seatedIn = (state: QuickSightState) =>
    t.sandbox.org.people.filter((p) => p.kind === 'reader' && namesIn(state, p).length > 0);
  const afterSnapshot = () => ({ now: new Date(Date.now() + 2_000) });
  const auditRows = async (email: string) => {
    const rows: StoredAuditRecord[] = [];
    for await (const page of new DynamoAuditLog(t.doc, t.names.audit).since(startedAt))
      rows.push(...page.filter((r) => r.email === email));
    return rows;
  };
  const task = async (id: string) => (await tasks().get(id)) as Task;

  it('serves three scopes and names them in IDSYNC_QUICKSIGHT_ACCOUNTS', () => {
    const org = t.sandbox.org;
    expect(other.accountId).not.toBe(org.accountId);
    expect(sales).toMatchObject({ accountId: org.accountId, namespace: SECOND_NAMESPACE });
    expect(t.sandbox.env.IDSYNC_QUICKSIGHT_ACCOUNTS).toBe(
      `${org.accountId}:default:${SECOND_NAMESPACE},${other.accountId}@arn:aws:iam::${other.accountId}:role/idsync-quicksight`,
    );
    expect(sales.size).toBeGreaterThan(3);
    expect(other.size).toBeGreaterThan(3);
  });

  it('snapshots every scope: COMPLETE, with the users of each', () => {
    expect(snapshot.code, snapshot.stderr).toBe(0);
    expect(snapshot.stdout).toContain(': COMPLETE');
    expect(snapshot.stdout).toContain(
      `quicksight scopes (IDSYNC_QUICKSIGHT_ACCOUNTS): default ${home.size}, ${SECOND_NAMESPACE} ${sales.size}, ${other.accountId}/default ${other.size}`,
    );
    expect(snapshot.stdout).toContain(`quicksight  ${home.size + sales.size + other.size} users`);
  });

  it('two namespaces: a leaver with a seat in each gets two deletions, two task ids, and nothing else in either is touched', async () => {
    const person = seatedIn(sales)[0] as OrgPerson;
    const [inDefault] = namesIn(home, person);
    const [inSales] = namesIn(sales, person);
    expect(inDefault?.userName).toBe(inSales?.userName);
    const salesBefore = sales.size;
    const homeBefore = home.size;
    removeFromGroups(t.sandbox.org, [person.email], afterSnapshot());

    const result = await runCliOn(t.sandbox, ['reconcile', '--apply']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(namesIn(home, person)).toEqual([]);
    expect(namesIn(sales, person)).toEqual([]);
    expect(sales.size).toBe(salesBefore - 1);
    expect(home.size).toBe(homeBefore - 1);
    expect([...sales.deletes.entries()]).toEqual([[inSales?.userName, 1]]);
    const userName = inDefault?.userName ?? '';
    expect(await task(`default#${userName}`)).toMatchObject({ status: 'DONE' });
    expect((await task(`default#${userName}`)).scope).toBeUndefined();
    expect(await task(`${SECOND_NAMESPACE}#${userName}`)).toMatchObject({
      status: 'DONE',
      scope: SECOND_NAMESPACE,
    });
  });

  it('reconcile across accounts: each seat deleted in its own account, signed by that account’s credentials, one row per decision and outcome with its scope', async () => {
    const person = seatedIn(other)[0] as OrgPerson;
    const [inOther] = namesIn(other, person);
    const otherKey = `${other.accountId}/default`;
    const sts = t.sandbox.sts.state;
    const callsBefore = sts.calls.length;
    removeFromGroups(t.sandbox.org, [person.email], afterSnapshot());

    // 1 of the second account's 8 users is 12.5%: over the default 10% of that account alone.
    const reportFile = join(mkdtempSync(join(tmpdir(), 'idsync-accounts-')), 'run.html');
    const result = await runCliOn(
      t.sandbox,
      ['reconcile', '--apply', '--report', reportFile],
      LIMITS,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    // The report names each account by its id, the home one too (IDSYNC_QUICKSIGHT_ACCOUNT_ID).
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toContain(t.sandbox.org.accountId);
    expect(html).toContain(other.accountId);
    expect(html).not.toContain(HOME_ACCOUNT_LABEL);
    const period = await runCliOn(t.sandbox, ['report', '--since', '1d']);
    expect(period.code, period.stderr).toBe(0);
    expect(period.stdout).toContain(`account ${t.sandbox.org.accountId}:`);
    expect(period.stdout).not.toContain(HOME_ACCOUNT_LABEL);
    expect(namesIn(home, person)).toEqual([]);
    expect(namesIn(other, person)).toEqual([]);
    expect(other.deletes.get(inOther?.userName ?? '')).toBe(1);

    const deletes = sts.calls
      .slice(callsBefore)
      .filter((c) => c.operation === 'quicksight:DeleteUser' && !c.refused);
    // The second account's delete signed by a session of its role; the home one's by the
    // process's own credentials.
    expect(deletes.filter((c) => c.roleArn === secondRole)).toHaveLength(1);
    expect(
      deletes.filter((c) => c.roleArn === undefined && c.accessKeyId === 'sandbox'),
    ).toHaveLength(1);
    expect(
      other.calls.filter((c) => c.operation === 'DeleteUser').map((c) => c.accessKeyId),
    ).toEqual([expect.stringMatching(/^ASIA/)]);
    expect(sts.assumed.some((a) => a.roleArn === secondRole && !a.refused)).toBe(true);

    const rows = await auditRows(person.email);
    const decisions = rows.filter((r) => r.kind === 'decision' && r.decision === 'delete');
    const outcomes = rows.filter((r) => r.kind === 'outcome');
    expect(decisions.map((r) => r.scope ?? 'home').sort()).toEqual([otherKey, 'home'].sort());
    expect(outcomes.map((r) => [r.scope ?? 'home', r.outcome]).sort()).toEqual(
      [
        [otherKey, 'deleted'],
        ['home', 'deleted'],
      ].sort(),
    );
    expect(await task(`${otherKey}#${inOther?.userName}`)).toMatchObject({
      status: 'DONE',
      scope: otherKey,
    });
  });

  it('guards each account apart: the small account over its percentage is held, the home account proceeds', async () => {
    const people = seatedIn(other).slice(0, 3);
    const otherUsers = other.size;
    const homeBefore = home.size;
    expect((people.length * 100) / otherUsers).toBeGreaterThan(30);
    removeFromGroups(
      t.sandbox.org,
      people.map((p) => p.email),
      afterSnapshot(),
    );

    const result = await runCliOn(t.sandbox, ['reconcile', '--apply'], LIMITS);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(3);
    expect(result.stdout).toContain(`GUARD TRIPPED for QuickSight account ${other.accountId}`);
    expect(home.size).toBe(homeBefore - people.length);
    expect(other.size).toBe(otherUsers);
    for (const p of people) {
      const [user] = namesIn(other, p);
      const held = await task(`${other.accountId}/default#${user?.userName}`);
      expect(held).toMatchObject({ status: 'BLOCKED' });
      expect(held.blockReason).toContain(`guard tripped: QuickSight account ${other.accountId}:`);
    }
  });

  it('a task whose scope is no longer configured is not called: it stays BLOCKED with the reason', async () => {
    const held: Task[] = [];
    for await (const page of tasks().byStatus('BLOCKED')) held.push(...page);
    expect(held.length).toBeGreaterThan(0);
    const otherCalls = other.calls.length;
    const homeAccountOnly = `${t.sandbox.org.accountId}:default:${SECOND_NAMESPACE}`;

    const result = await runCliOn(t.sandbox, ['apply', '--max-deletions', '10'], {
      ...LIMITS,
      IDSYNC_QUICKSIGHT_ACCOUNTS: homeAccountOnly,
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    expect(other.calls.length).toBe(otherCalls);
    for (const h of held) {
      const now = await task(h.taskId);
      expect(now.status).toBe('BLOCKED');
      expect(now.blockReason).toContain(
        `QuickSight scope ${other.accountId}/default is not among IDSYNC_QUICKSIGHT_ACCOUNTS: not called`,
      );
    }

    // Configured again, the operator's release deletes them in their own account.
    const released = await runCliOn(t.sandbox, ['apply', '--max-deletions', '10'], LIMITS);
    expect(released.code, `${released.stdout}\n${released.stderr}`).toBe(0);
    for (const h of held) expect(await task(h.taskId)).toMatchObject({ status: 'DONE' });
    expect(other.calls.filter((c) => c.operation === 'DeleteUser').length).toBe(1 + held.length);
  });

  it('assumes a scope’s role with the external id; one STS refuses ends the snapshot as a configuration error naming IDSYNC_QUICKSIGHT_ACCOUNTS', async () => {
    const sts = t.sandbox.sts.state;
    sts.addRole({ roleArn: secondRole, externalId: 'agreed-id' });
    const refused = await runCliOn(t.sandbox, ['snapshot'], {
      IDSYNC_ROLE_EXTERNAL_ID: 'wrong-id',
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('IDSYNC_QUICKSIGHT_ACCOUNTS');
    expect(refused.stderr).toContain(secondRole);
    const agreed = await runCliOn(t.sandbox, ['snapshot'], {
      IDSYNC_ROLE_EXTERNAL_ID: 'agreed-id',
    });
    expect(agreed.code, `${agreed.stdout}\n${agreed.stderr}`).toBe(0);
    const asked = sts.assumed.filter((a) => a.roleArn === secondRole);
    expect(asked.find((a) => a.externalId === 'wrong-id')?.refused).toBe('AccessDenied');
    expect(asked.find((a) => a.externalId === 'agreed-id')).toMatchObject({
      sessionName: expect.stringMatching(/^idsync-snapshot-/),
    });
    expect(asked.find((a) => a.externalId === 'agreed-id')?.refused).toBeUndefined();
  });
});
