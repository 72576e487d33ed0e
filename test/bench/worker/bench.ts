/**
 * Worker benchmark: idsync's worker against three baseline policies, deleting N
 * QuickSight users through the sandbox's QuickSight stand-in, whose token bucket serves
 * R = 50 calls/s (burst 20) — steady, and dropping to 25/s halfway through the ideal run.
 *
 *   npx tsx test/bench/worker/bench.ts [--quick] [--n=900,10000] [--policies=idsync,seed,...]
 *                                      [--scenarios=steady,drop]
 *
 * `--quick` is N = 900 only. `--policies=idsync-pause` adds (a'): the worker with a pacer whose
 * global Retry-After pause is on (the limiter's default), which createWorkerPacer turns off. Each run gets a fresh sandbox (dynalite + stand-ins) in this
 * process; the policy runs in a child process with the real SDK client, so it has a core of its
 * own, and is timed from the parent's `go` (Node's start-up excluded). Calls, throttles and
 * deletions are read off the stand-in's counters. Rows are appended to
 * test-output/bench/worker.jsonl as they come, the table to test-output/bench/worker.md.
 * Method and recorded numbers: BENCHMARKS.md, section Worker.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ATTEMPT_POLICY } from '../../../services/removals/worker/pacing/call-pacing.js';
import type { WorkerSummary } from '../../../services/removals/worker/progress.js';
import { DEFAULT_CONCURRENCY } from '../../../shared/config/index.js';
import { sleep } from '../../../shared/retry.js';
import {
  forkTs,
  forkWorker,
  type WorkerChildResult,
} from '../../services/removals/worker/fixtures/worker-process.js';
import {
  registerLeavers,
  seedDeletions,
  startWorkerSandbox,
} from '../../services/removals/worker/fixtures/worker-sandbox.js';
import { idealMakespanMs } from '../../services/removals/worker/pacing/simulated-bucket.js';
import type { BaselineChildConfig } from './baseline-child.js';
import type { BaselineResult } from './baseline-policies.js';
import {
  type BenchRow,
  consoleTable,
  markdownTable,
  type PolicyName,
  type ScenarioName,
} from './bench-table.js';

const RATE = 50;
const BURST = 20;
const DROPPED_RATE = 25;
const BASELINE_CONCURRENCY = 100;

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const ns = (flag('n') ?? (args.includes('--quick') ? '900' : '900,10000')).split(',').map(Number);
const policies = (flag('policies') ?? 'idsync,seed,sdk-standard,sdk-adaptive').split(
  ',',
) as PolicyName[];
const scenarios = (flag('scenarios') ?? 'steady,drop').split(',') as ScenarioName[];
const outDir = fileURLToPath(new URL('../../../test-output/bench/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}`;
const startedAt = new Date().toISOString();
console.log(`worker benchmark — ${machine}; load average ${load()}; ${startedAt}`);

/** When the API's rate changes in a scenario: halfway through the steady ideal run. */
function changeAtMs(scenario: ScenarioName, n: number): number | undefined {
  return scenario === 'drop' ? (n / RATE / 2) * 1000 : undefined;
}

function idealMs(scenario: ScenarioName, n: number): number {
  const at = changeAtMs(scenario, n);
  const changes = at === undefined ? [] : [{ atMs: at, rate: DROPPED_RATE }];
  return idealMakespanMs(n, { rate: RATE, burst: BURST, changes });
}

/**
 * How long a policy may run: 5 × ideal; the seed-like policy at large N is cut at 1 × ideal
 * (it cannot finish, and it would hold the benchmark for an hour to show it).
 */
function timeLimitMs(policy: PolicyName, scenario: ScenarioName, n: number): number {
  const ideal = idealMs(scenario, n);
  return policy === 'seed' && n > 1000 ? ideal : 5 * ideal;
}

interface ChildOutcome {
  readonly makespanMs: number;
  readonly failed: number;
  readonly unfinished: number;
  readonly projectedEndMs?: number;
  readonly estimate?: number;
  readonly worker?: WorkerSummary;
}

async function runOnce(scenario: ScenarioName, n: number, policy: PolicyName): Promise<BenchRow> {
  const bucket = { rate: RATE, burst: BURST };
  const wb = await startWorkerSandbox({ bucket });
  try {
    const users = registerLeavers(wb.state, n);
    const limit = timeLimitMs(policy, scenario, n);
    let child: ReturnType<typeof forkTs<unknown>>;
    if (policy === 'idsync' || policy === 'idsync-pause') {
      await seedDeletions(wb, users);
      child = forkWorker({
        endpoints: wb.endpoints,
        runId: `bench-${scenario}-${n}`,
        owner: 'bench-worker',
        concurrency: DEFAULT_CONCURRENCY,
        leaseMs: 60_000,
        maxAttempts: DEFAULT_ATTEMPT_POLICY.maxAttempts,
        maxRate: 1000,
        waitForGo: true,
        // (a'): the limiter's own default, a server's Retry-After pausing every call.
        ...(policy === 'idsync-pause' ? { pacer: { maxPauseMs: 20_000 } } : {}),
      });
    } else {
      const config: BaselineChildConfig = {
        endpoints: wb.endpoints,
        count: n,
        options: {
          policy,
          concurrency: BASELINE_CONCURRENCY,
          timeLimitMs: limit,
          sdkMaxAttempts: 3,
        },
      };
      child = forkTs(fileURLToPath(new URL('./baseline-child.ts', import.meta.url)), config);
    }
    await child.ready;
    wb.standIn.faults.configure({});
    wb.standIn.faults.configure({ bucket });
    const before = { ...wb.standIn.faults.counters };
    const loadBefore = loadavg()[0]?.toFixed(1) ?? '?';
    child.go();
    const at = changeAtMs(scenario, n);
    const change =
      at === undefined
        ? undefined
        : setTimeout(
            () => wb.standIn.faults.configure({ bucket: { rate: DROPPED_RATE, burst: BURST } }),
            at,
          );
    const hardStop = setTimeout(() => child.child.kill('SIGKILL'), limit + 60_000);
    const outcome = await child.done.then(
      (r) => childOutcome(policy, r),
      (): ChildOutcome => ({ makespanMs: limit + 60_000, failed: 0, unfinished: n }),
    );
    clearTimeout(change);
    clearTimeout(hardStop);
    const c = wb.standIn.faults.counters;
    const deleted = users.filter((u) => wb.state.deletes.has(stateKeyOf(u))).length;
    return {
      scenario,
      n,
      policy,
      idealMs: idealMs(scenario, n),
      makespanMs: outcome.makespanMs,
      calls: c.calls - before.calls,
      throttled: c.throttled - before.throttled,
      deleted,
      failed: outcome.failed,
      lost: Math.max(0, n - deleted - outcome.failed - outcome.unfinished),
      unfinished: outcome.unfinished,
      ...(outcome.projectedEndMs !== undefined ? { projectedEndMs: outcome.projectedEndMs } : {}),
      ...(outcome.estimate !== undefined ? { estimate: outcome.estimate } : {}),
      ...(outcome.worker ? { worker: outcome.worker } : {}),
      load: `${loadBefore} → ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    };
  } finally {
    await wb.close();
  }
}

function stateKeyOf(u: { userName: string; principalId?: string }): string {
  return u.userName === 'N/A' ? `N/A#${u.principalId ?? ''}` : u.userName;
}

function childOutcome(policy: PolicyName, result: unknown): ChildOutcome {
  if (policy === 'idsync' || policy === 'idsync-pause') {
    const r = result as WorkerChildResult;
    return {
      makespanMs: r.makespanMs,
      failed: r.summary.failed,
      unfinished: r.summary.total - r.summary.deleted - r.summary.alreadyGone - r.summary.failed,
      ...(r.pacer.estimate !== undefined ? { estimate: r.pacer.estimate } : {}),
      worker: r.summary,
    };
  }
  const r = result as BaselineResult;
  return {
    makespanMs: r.makespanMs,
    failed: r.failed,
    unfinished: r.unfinished,
    ...(r.projectedEndMs !== undefined ? { projectedEndMs: r.projectedEndMs } : {}),
  };
}

const rows: BenchRow[] = [];
const jsonl = `${outDir}worker.jsonl`;
for (const n of ns)
  for (const scenario of scenarios)
    for (const policy of policies) {
      const row = await runOnce(scenario, n, policy);
      rows.push(row);
      appendFileSync(jsonl, `${JSON.stringify({ startedAt, machine, ...row })}\n`);
      console.log(`\n${consoleTable([row])}`);
      writeFileSync(
        `${outDir}worker.md`,
        `Worker benchmark, ${startedAt}, ${machine}\n\n${markdownTable(rows)}\n`,
      );
      await sleep(500);
    }
console.log(`\n=== worker benchmark: ${machine}; ideal = N / R ===\n${consoleTable(rows)}`);
console.log(`\n(rows also in ${jsonl} and ${outDir}worker.md)`);
process.exit(0);
