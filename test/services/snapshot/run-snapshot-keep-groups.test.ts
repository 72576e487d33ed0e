import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeavers } from '../../../services/removals/plan/plan-removals.js';
import { addKeepGroup } from '../../../services/sandbox/scenarios/keep-group.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { runSnapshot } from '../../../services/snapshot/run-snapshot.js';
import type { LedgerEntry } from '../../../shared/domain.js';
import type { GoogleRow } from '../../../shared/dynamo/snapshot-store.js';
import {
  runCliOn,
  silentLogger,
  startTestSandbox,
  type TestSandbox,
} from '../../helpers/sandbox.js';

/**
 * The snapshot lists the keep groups (IDSYNC_INACTIVE_KEEP_GROUPS) apart from the configured
 * groups: their members make nobody managed and nobody a leaver, and a keep group that cannot
 * be read makes the snapshot PARTIAL.
 */

const deps = (t: TestSandbox) => ({ ...t.ports, ...t.stores, logger: silentLogger() });

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('snapshot with keep groups', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
  }, 120_000);
  afterAll(async () => t?.close());

  it('stores keep-group members apart: a member in no configured group is neither managed nor a leaver', async () => {
    const org = t.sandbox.org;
    const stranger = org.people.find((p) => p.kind === 'stranger');
    const reader = org.people.find((p) => p.kind === 'reader' && !p.protected);
    if (!stranger || !reader) throw new Error('org without a stranger or a reader');
    const keep = addKeepGroup(org, `report-recipients@${org.domain}`, [stranger, reader]);
    const readers = org.groupEmails.readers;

    const result = await runSnapshot(deps(t), {
      groups: org.groups,
      keepGroups: [keep, readers],
      retentionDays: 30,
    });
    const m = result.manifest;
    expect(m.status).toBe('COMPLETE');
    expect(m.sources.google?.groups).toEqual(
      Object.fromEntries(org.groups.map((g) => [g, org.counts.groupMembers[g]])),
    );
    expect(m.sources.google?.keepGroups).toEqual({
      [keep]: 2,
      [readers]: org.counts.groupMembers[readers],
    });
    // The configured groups' rows and the ledger know nothing of the keep-only member.
    const google = await all<GoogleRow>(t.stores.snapshots.googleRows(m.runId));
    expect(google.some((r) => r.email === stranger.email)).toBe(false);
    expect(google.some((r) => r.group === keep)).toBe(false);
    const ledger: LedgerEntry[] = await all(t.stores.ledger.entries());
    expect(ledger.some((e) => e.email === stranger.email)).toBe(false);
    expect(result.ledgerRecorded).toBe(org.counts.entitledPeople);
    // The keep rows hold both keep groups, the configured one listed once.
    const kept = await all<GoogleRow>(t.stores.snapshots.keepGroupRows(m.runId));
    expect(
      kept
        .filter((r) => r.group === keep)
        .map((r) => r.email)
        .sort(),
    ).toEqual([stranger.email, reader.email].sort());
    expect(kept.filter((r) => r.group === readers)).toHaveLength(
      org.counts.groupMembers[readers] ?? -1,
    );
    // The leaver rule sees only the configured groups: the stranger is no leaver.
    const currentMembers = new Set(google.map((r) => r.email));
    const leavers = findLeavers({ ledger, currentMembers, quickSightUsers: [] });
    expect(leavers.map((l) => l.email)).not.toContain(stranger.email);
    // And the plan neither manages nor removes them.
    const plan = await runCliOn(t.sandbox, ['plan', '--json'], {
      IDSYNC_INACTIVE_KEEP_GROUPS: keep,
    });
    expect(plan.code, plan.stderr).toBe(0);
    const decisions = JSON.parse(plan.stdout).plan.decisions as { email: string }[];
    expect(decisions.some((d) => d.email === stranger.email)).toBe(false);
  });

  it('a person who left the configured groups is a leaver even while in a keep group', async () => {
    const org = t.sandbox.org;
    const keep = `report-recipients@${org.domain}`;
    const reader = org.people.find((p) => p.kind === 'reader' && !p.protected);
    if (!reader) throw new Error('no reader');
    org.google.removeMember(org.groupEmails.readers, reader.email);
    const snap = await runCliOn(t.sandbox, ['snapshot'], { IDSYNC_INACTIVE_KEEP_GROUPS: keep });
    expect(snap.code, snap.stdout).toBe(0);
    expect(snap.stdout).toContain(
      `keep groups (IDSYNC_INACTIVE_KEEP_GROUPS, never pruned as idle): ${keep} 2`,
    );
    const plan = await runCliOn(t.sandbox, ['plan', '--json', '--max-deletions', '50']);
    expect(plan.code, plan.stderr).toBe(0);
    const decisions = JSON.parse(plan.stdout).plan.decisions as { email: string; source: string }[];
    expect(decisions.filter((d) => d.email === reader.email).map((d) => d.source)).toContain(
      'group_removal',
    );
    org.google.addMember(org.groupEmails.readers, {
      id: reader.googleId,
      email: reader.email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
  });

  it('holdListed returns the rows exactly as stored, for a COMPLETE snapshot only', async () => {
    const org = t.sandbox.org;
    const keep = `report-recipients@${org.domain}`;
    const options = { groups: org.groups, retentionDays: 30, holdListed: true };
    const result = await runSnapshot(deps(t), { ...options, keepGroups: [keep] });
    const { runId } = result.manifest;
    expect(result.manifest.status).toBe('COMPLETE');
    expect(result.listed?.google).toEqual(await all(t.stores.snapshots.googleRows(runId)));
    expect(result.listed?.keep).toEqual(await all(t.stores.snapshots.keepGroupRows(runId)));
    expect(result.listed?.keep).toHaveLength(2);
    expect(result.listed?.quickSight).toEqual(await all(t.stores.snapshots.quickSightUsers(runId)));
    expect(result.listed?.quickSight).toHaveLength(org.quickSight.list().length);
    // The ledger recorded from the rows held is the ledger recorded from the rows read back.
    expect(result.ledgerRecorded).toBe(org.counts.entitledPeople);
    const plain = await runSnapshot(deps(t), { ...options, holdListed: false });
    expect(plain.listed).toBeUndefined();
    expect(plain.ledgerRecorded).toBe(result.ledgerRecorded);
    const partial = await runSnapshot(deps(t), {
      ...options,
      keepGroups: [`no-such-group@${org.domain}`],
    });
    expect(partial.manifest.status).toBe('PARTIAL');
    expect(partial.listed).toBeUndefined();
  });

  it('a keep group that cannot be read makes the snapshot PARTIAL (exit 3)', async () => {
    const org = t.sandbox.org;
    const missing = `no-such-group@${org.domain}`;
    const result = await runCliOn(t.sandbox, ['snapshot', '--json'], {
      IDSYNC_INACTIVE_KEEP_GROUPS: missing,
    });
    expect(result.code).toBe(3);
    const manifest = JSON.parse(result.stdout).manifest;
    expect(manifest.status).toBe('PARTIAL');
    expect(manifest.reason).toMatch(/google/);
  });
});
