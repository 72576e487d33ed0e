/**
 * `npx tsx test/bench/reconcile/plan-parts.ts [leavers]`: where the plan step of a reconcile
 * spends its time. One process: the sandbox (demo organisation, no QuickSight limit) and idsync's
 * own code. Set-up as in bench.ts (a snapshot, `leavers` people leave, a second snapshot), then
 * timed: the reads the plan makes (loadPlanningState: members of the two newest snapshots and the
 * QuickSight users; the ledger), one runPlan without tasks (those reads, and an audit row per
 * decision) and one with tasks (the same, plus one conditional PutItem per deletion). Results: BENCHMARKS.md, "Reconcile overhead".
 */

import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { takeSnapshot } from '../../../services/cli/take-snapshot.js';
import { loadPlanningState, runPlan } from '../../../services/removals/plan/run-plan.js';
import { demoOrg } from '../../../services/sandbox/scenarios/org.js';
import { startSandbox } from '../../../services/sandbox/start-sandbox.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { buildStores } from '../../../shared/clients-from-config.js';
import { loadConfig } from '../../../shared/config/index.js';
import { createLogger } from '../../../shared/logger.js';

const LEAVERS = Number(process.argv[2] ?? 600);
const org = demoOrg(42);
const sandbox = await startSandbox({ org });
try {
  const config = loadConfig(
    ['google', 'identityStore', 'quicksight', 'snapshot', 'inactive', 'plan'],
    {
      ...sandbox.env,
      IDSYNC_LOG_LEVEL: 'warn',
    },
  );
  const stores = buildStores(config);
  await ensureTables(stores.dynamo, config.core.tablePrefix);
  await takeSnapshot(config);
  removePeople(org, { count: LEAVERS });
  await takeSnapshot(config);
  const time = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    console.log(`| ${label} | ${((performance.now() - started) / 1000).toFixed(2)} s |`);
    return result;
  };
  console.log('| part | time |');
  console.log('|---|---|');
  await time('loadPlanningState (snapshot members ×2, QuickSight users)', () =>
    loadPlanningState(stores.snapshots),
  );
  await time('ledger read', async () => {
    let n = 0;
    for await (const page of stores.ledger.entries()) n += page.length;
    return n;
  });
  const plan = (runId: string, persistTasks: boolean) => () =>
    runPlan(
      { ...stores, logger: createLogger({ level: 'warn' }) },
      {
        runId,
        namespace: config.quicksight.namespace,
        settings: config.plan,
        // As `--max-deletions N` does: this many deletions pass the guard.
        override: { maxDeletions: LEAVERS + 100 },
        includeLeavers: true,
        persistTasks,
      },
    );
  const dry = await time(
    'runPlan, no tasks (reads + one audit row per decision)',
    plan('dry', false),
  );
  const real = await time(
    'runPlan with tasks (the same + one task per deletion)',
    plan('real', true),
  );
  console.log(
    `decisions: ${dry.plan.decisions.length}; tasks created: ${real.tasks.created} (guard tripped: ${real.plan.guard.tripped})`,
  );
  stores.close();
} finally {
  await sandbox.close();
}
