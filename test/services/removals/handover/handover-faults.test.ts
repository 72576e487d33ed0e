import { afterEach, describe, expect, it } from 'vitest';
import { createHandOverAssets } from '../../../../services/removals/handover/hand-over-assets.js';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import type { FaultSettings } from '../../../../services/sandbox/http/faults.js';
import { OWNER_ACTIONS } from '../../../../shared/asset-owner-actions.js';
import { QuickSightAssets } from '../../../../shared/aws/quicksight-assets.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { workerDeps, workerOptions } from '../worker/fixtures/worker-deps.js';
import {
  connectQuickSight,
  leaverUser,
  seedDeletions,
  startWorkerSandbox,
  type WorkerSandbox,
} from '../worker/fixtures/worker-sandbox.js';

/**
 * Fault cells of the handover (RELIABILITY.md, fault matrix): the worker with the real asset
 * adapter over the QuickSight stand-in, Authors owning dashboards and datasets alone, under
 * throttling, 5xx and connection resets on every call (Search*, Describe*Permissions,
 * Update*Permissions, DescribeUser, DeleteUser alike). Whatever fails, nothing is orphaned and
 * nobody is deleted twice; an Author whose handover cannot finish is deferred, not deleted.
 */

const AUTHORS = 6;
const FAST = { baseMs: 1, capMs: 4, maxAttempts: 12 };

let wb: WorkerSandbox | undefined;
afterEach(async () => {
  await wb?.close();
  wb = undefined;
});

async function world(faults: FaultSettings) {
  wb = await startWorkerSandbox();
  const state = wb.state;
  const successor = state.register({
    userName: 'bi-lead',
    email: 'lead@example.org',
    role: 'AUTHOR',
    identityType: 'QUICKSIGHT',
  });
  const authors: QuickSightUser[] = [];
  for (let i = 0; i < AUTHORS; i++) {
    const u = state.register({ ...leaverUser(i * 50), role: 'AUTHOR' });
    authors.push(u);
    for (const type of ['dashboard', 'dataset'] as const)
      state.assets.add(type, `${type}-${i}`, `${type} ${i}`, [
        { principal: u.arn, actions: OWNER_ACTIONS[type] },
      ]);
  }
  await seedDeletions(wb, authors);
  wb.standIn.faults.configure(faults);
  const qs = connectQuickSight(wb.endpoints);
  const assets = new QuickSightAssets(qs.client, wb.endpoints.accountId, wb.endpoints.namespace, {
    retry: FAST,
  });
  const handOver = createHandOverAssets({
    assets,
    successor: { kind: 'user', userName: 'bi-lead' },
    audit: wb.audit,
    runId: 'apply-1',
  });
  const summary = await runWorker(
    workerDeps(wb, { handOver }),
    workerOptions('apply-1', {
      concurrency: 4,
      leaseMs: 30_000,
      maxAttempts: 12,
      backoff: { baseMs: 1, capMs: 4 },
    }),
  );
  qs.client.destroy();
  return { summary, authors, successor, state };
}

describe('handover under QuickSight faults', { timeout: 30_000 }, () => {
  for (const [name, faults] of [
    ['30 % throttled', { throttleRate: 0.3 }],
    ['20 % 5xx', { errorRate: 0.2 }],
    ['20 % connection resets', { resetRate: 0.2 }],
  ] as const) {
    it(`${name}: each Author handed over then deleted once, or deferred; nothing orphaned`, async () => {
      const { summary, authors, successor, state } = await world(faults);
      expect(summary.deleted + summary.deferred).toBe(AUTHORS);
      expect(state.assets.orphaned()).toEqual([]);
      for (const u of authors) {
        const deleted = state.deletes.get(u.userName) ?? 0;
        expect(deleted).toBeLessThanOrEqual(1);
        // A deleted Author's assets are the successor's; a deferred one still owns them.
        const owner = deleted === 1 ? successor.arn : u.arn;
        for (const type of ['dashboard', 'dataset'] as const)
          expect(
            state.assets
              .permissionsOf(type, `${type}-${authors.indexOf(u)}`)
              .map((p) => p.principal),
          ).toContain(owner);
      }
      expect(summary.deleted).toBeGreaterThan(0);
    });
  }

  it('5xx on every call: every Author deferred, none deleted, nothing orphaned', async () => {
    const { summary, state } = await world({ errorRate: 1 });
    expect(summary.deferred).toBe(AUTHORS);
    expect(summary.deleted).toBe(0);
    expect(state.deletes.size).toBe(0);
    expect(state.assets.orphaned()).toEqual([]);
  });
});
