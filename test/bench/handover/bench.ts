/**
 * Handover benchmark: the worker hands the assets of N departing Authors (10 each: 5 dashboards
 * and 5 datasets owned alone) to a successor and then deletes them, through the QuickSight
 * stand-in whose one token bucket serves R calls/s for every API (burst R/5). The handover's calls
 * and the DeleteUser calls go through one pacer at R (services/removals/worker/pacing/call-pacing.ts),
 * so the run should approach the API floor: calls needed / R.
 *
 *   npx tsx test/bench/handover/bench.ts [--n=200] [--rate=100]
 *
 * Calls needed per Author: 5 sole-owner searches + 5 owner searches (shared assets; none here) + 3
 * lists (themes, templates, topics: one page each) + 10 Update*Permissions + 10
 * Describe*Permissions + 1 DeleteUser = 34; plus one DescribeUser of the
 * successor (remembered). Calls, throttles and deletions are read off the stand-in's counters.
 * Method and recorded numbers: BENCHMARKS.md, section Asset handover.
 */
import { cpus, loadavg } from 'node:os';
import { createHandOverAssets } from '../../../services/removals/handover/hand-over-assets.js';
import { Pacer } from '../../../services/removals/worker/pacing/call-pacing.js';
import { runWorker } from '../../../services/removals/worker/run-worker.js';
import { OWNER_ACTIONS } from '../../../shared/asset-owner-actions.js';
import { QuickSightAssets } from '../../../shared/aws/quicksight-assets.js';
import { createLogger } from '../../../shared/logger.js';
import {
  connectQuickSight,
  leaverUser,
  seedDeletions,
  startWorkerSandbox,
} from '../../services/removals/worker/fixtures/worker-sandbox.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const N = Number(flag('n') ?? 200);
const RATE = Number(flag('rate') ?? 100);
const PER_AUTHOR = 5 + 5 + 3 + 10 + 10 + 1;

const wb = await startWorkerSandbox({ bucket: { rate: RATE, burst: Math.max(1, RATE / 5) } });
try {
  const state = wb.state;
  state.register({
    userName: 'bi-lead',
    email: 'lead@example.org',
    role: 'AUTHOR',
    identityType: 'QUICKSIGHT',
  });
  const authors = [];
  for (let i = 0; i < N; i++) {
    const base = leaverUser(i);
    const u = state.register({
      ...base,
      userName: base.userName === 'N/A' ? `author-${i}` : base.userName,
      role: 'AUTHOR',
    });
    authors.push(u);
    for (let k = 0; k < 5; k++)
      for (const type of ['dashboard', 'dataset'] as const)
        state.assets.add(type, `${type}-${i}-${k}`, `${type} ${i}.${k}`, [
          { principal: u.arn, actions: OWNER_ACTIONS[type] },
        ]);
  }
  await seedDeletions(wb, authors);
  const pacer = new Pacer({ maxRate: RATE, initialRate: RATE });
  const qs = connectQuickSight(wb.endpoints);
  const assets = new QuickSightAssets(qs.client, wb.endpoints.accountId, wb.endpoints.namespace, {
    pacer,
  });
  const before = { ...wb.standIn.faults.counters };
  const started = performance.now();
  const summary = await runWorker(
    {
      tasks: wb.tasks,
      audit: wb.audit,
      quickSight: wb.quickSight,
      pacer,
      logger: createLogger({ level: 'silent' }),
      handOver: createHandOverAssets({
        assets,
        successor: { kind: 'user', userName: 'bi-lead' },
        audit: wb.audit,
        runId: 'bench',
      }),
    },
    { runId: 'bench', owner: 'bench', concurrency: 16, leaseMs: 60_000, maxAttempts: 10 },
  );
  const seconds = (performance.now() - started) / 1000;
  const c = wb.standIn.faults.counters;
  const calls = c.calls - before.calls;
  const throttled = c.throttled - before.throttled;
  const needed = N * PER_AUTHOR + 1;
  const floor = needed / RATE;
  const row = {
    n: N,
    assetsPerAuthor: 10,
    rate: RATE,
    seconds: Number(seconds.toFixed(1)),
    floorSeconds: Number(floor.toFixed(1)),
    ratio: Number((seconds / floor).toFixed(3)),
    callsNeeded: needed,
    callsMade: calls,
    throttled,
    deleted: summary.deleted,
    deferred: summary.deferred,
    orphaned: state.assets.orphaned().length,
    cpus: cpus().length,
    load: loadavg()
      .map((l) => l.toFixed(1))
      .join(' '),
  };
  console.log(JSON.stringify(row));
  qs.client.destroy();
  if (summary.deleted !== N || row.orphaned !== 0) process.exitCode = 1;
} finally {
  await wb.close();
}
