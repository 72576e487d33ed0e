/**
 * `npx tsx test/bench/reconcile/bench.ts [leavers] [rate]`: end-to-end overhead of a reconcile.
 *
 * The sandbox (demo organisation, ≈2,200 QuickSight users) runs in this process with a QuickSight
 * token bucket of `rate` calls/s (default 40, burst 20). Untimed set-up: `idsync init-tables`, a
 * first snapshot (the ledger learns who the members are), then `leavers` people (default 600)
 * leave their Google groups and the SCIM sync deletes their IdC users. Timed: one
 * `node bin/idsync.js reconcile --apply --max-deletions N --json`, a fresh process, from spawn to
 * exit. Compared with the time its QuickSight calls alone need at `rate`: (ListUsers pages +
 * deletions) / rate. The split comes from the run's own timestamps: start-up = spawn → snapshot
 * start (manifest `startedAt`); snapshot = its `startedAt` → `finishedAt`; plan = snapshot end →
 * the log line "plan made"; apply set-up = "plan made" → "worker started"; worker = "worker
 * started" → "worker finished"; tail = the rest (output, exit); reconcile marks the IdC users its
 * snapshot no longer lists as gone while the worker works, so those 600 updates count in the
 * worker part. Each part also counts the DynamoDB
 * requests dynalite received in it (by arrival time), the cost that does not shrink with a quiet
 * machine. BENCH_LOG=<file> keeps the run's log; BENCH_CONCURRENCY=<n> sets IDSYNC_CONCURRENCY;
 * BENCH_CPU_PROF=<dir> writes a CPU profile of each idsync process there; BENCH_CLI=<path> runs
 * another build's bin/idsync.js (e.g. a copy of an older dist/; then nothing is built);
 * BENCH_REQUESTS=<file> writes every DynamoDB request of the timed run (ms after spawn,
 * operation, tables), one a line.
 *
 * Warm-up (untimed, BENCH_WARM=0 skips it): before the timed run, `idsync remove --csv <file>
 * --apply` of WARM_UP (160) QuickSight Readers who are not among the leavers (they stay in their groups,
 * so the timed run still deletes exactly `leavers`). Its worker is throttled by the stand-in's
 * bucket, measures the rate QuickSight serves and remembers it in the guard table
 * (services/removals/worker/task-scopes.ts), so the timed run's worker starts at that pace
 * instead of slow start, as a run within 48 hours of an earlier one does
 * (REMEMBERED_RATE_MAX_AGE_MS). An older build run through
 * BENCH_CLI does the same warm-up (it just does not remember), so paired runs stay fair. The
 * bench prints whether a pace was remembered and whether the timed run started from it
 * (BENCH_WARM_LOG=<file> keeps the warm-up's log).
 * Results: BENCHMARKS.md, "Reconcile overhead".
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { demoOrg } from '../../../services/sandbox/scenarios/org.js';
import { startSandbox } from '../../../services/sandbox/start-sandbox.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { sleep } from '../../../shared/retry.js';

const LEAVERS = Number(process.argv[2] ?? 600);
const RATE = Number(process.argv[3] ?? 40);
const BURST = 20;
/**
 * Deletions of the warm-up: 160. At RATE 40 and BURST 20, slow start from 5/s meets its first
 * throttle after ~105 calls (~2.1 s), and the measurement that follows needs 20 more served
 * calls and 0.5 s: 100 deletions often end before it does, and nothing is remembered.
 */
const WARM_UP = 160;
const WARM = process.env.BENCH_WARM !== '0';
const PAGE = 100;
const root = new URL('../../..', import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnedAt: number;
  readonly exitedAt: number;
}

/** `/usr/bin/time` writes the CLI's CPU seconds (user, system) here. */
const cpuFile = join(mkdtempSync(join(tmpdir(), 'idsync-bench-')), 'cpu');

function idsync(argv: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each idsync process (node --cpu-prof).
    const prof = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    const node = [process.execPath, ...prof, process.env.BENCH_CLI ?? 'bin/idsync.js', ...argv];
    const command = ['-f', '%U %S', '-o', cpuFile, ...node];
    const child = spawn('/usr/bin/time', command, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, spawnedAt, exitedAt: Date.now() }),
    );
  });
}

/** The first log record with message `msg`, if any. */
function logRecord(stderr: string, msg: string): Record<string, unknown> | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.msg === msg) return record;
  }
  return undefined;
}

function logTime(stderr: string, msg: string): number {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { msg?: string; time?: string };
    if (record.msg === msg && record.time) return Date.parse(record.time);
  }
  throw new Error(`no log line "${msg}"`);
}

if (!process.env.BENCH_CLI)
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });
const org = demoOrg(42);
const sandbox = await startSandbox({
  org,
  faults: { quicksight: { bucket: { rate: RATE, burst: BURST } } },
});
try {
  const env = {
    ...sandbox.env,
    IDSYNC_LOG_LEVEL: 'info',
    // idsync is not told the stand-in's rate; its ceiling is well above it (as in the demo).
    IDSYNC_RATE: String(RATE * 4),
    // BENCH_CONCURRENCY=<n>: the worker's IDSYNC_CONCURRENCY (default: idsync's own default).
    ...(process.env.BENCH_CONCURRENCY ? { IDSYNC_CONCURRENCY: process.env.BENCH_CONCURRENCY } : {}),
  };
  const must = async (argv: string[]) => {
    const r = await idsync(argv, env);
    if (r.code !== 0) throw new Error(`idsync ${argv.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  await must(['init-tables']);
  await must(['snapshot']);
  const sync = removePeople(org, { count: LEAVERS });
  if (WARM) {
    const leaving = new Set(sync.leavers.emails.map((e) => e.toLowerCase()));
    const warmUp = org.quickSight
      .list()
      .filter((u) => u.role === 'READER' && u.identityType === 'IAM' && u.email)
      .filter((u) => !leaving.has((u.email ?? '').toLowerCase()))
      .slice(0, WARM_UP);
    const csv = join(dirname(cpuFile), 'warm-up.csv');
    writeFileSync(csv, `email\n${warmUp.map((u) => u.email).join('\n')}\n`);
    const before = org.quickSight.size;
    const warm = await must([
      'remove',
      '--csv',
      csv,
      '--apply',
      '--max-deletions',
      String(WARM_UP),
    ]);
    if (process.env.BENCH_WARM_LOG) writeFileSync(process.env.BENCH_WARM_LOG, warm.stderr);
    const remembered = logRecord(warm.stderr, 'QuickSight pace remembered');
    console.log(
      `warm-up: remove --csv of ${warmUp.length} Readers who stay members: ${before - org.quickSight.size} deleted; ` +
        (remembered ? `pace remembered: ${remembered.estimate} calls/s` : 'no pace remembered'),
    );
  }
  const users = org.quickSight.size;
  await sleep(2_000); // the bucket refills
  // Every DynamoDB request of the timed run, to count them per part (they are what the parts
  // besides the worker's QuickSight calls cost).
  const requests: Array<{ at: number; operation: string; tables: readonly string[] }> = [];
  const untap = sandbox.dynamo.onRequest((at, operation, tables) =>
    requests.push({ at, operation, tables }),
  );
  const cpuBefore = process.cpuUsage();
  const callsBefore = sandbox.quickSight.faults.counters.calls;
  const throttledBefore = sandbox.quickSight.faults.counters.throttled;
  const run = await idsync(
    ['reconcile', '--apply', '--max-deletions', String(LEAVERS + 100), '--json'],
    env,
  );
  untap();
  const sandboxCpu = process.cpuUsage(cpuBefore);
  const [cliUser = 0, cliSystem = 0] = readFileSync(cpuFile, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  // BENCH_LOG=<file>: keep the reconcile's log (JSON lines) for a closer look.
  if (process.env.BENCH_LOG) writeFileSync(process.env.BENCH_LOG, run.stderr);
  // BENCH_REQUESTS=<file>: every DynamoDB request of the run (ms after spawn, operation, tables).
  if (process.env.BENCH_REQUESTS)
    writeFileSync(
      process.env.BENCH_REQUESTS,
      requests
        .map((r) => `${r.at - run.spawnedAt}\t${r.operation}\t${r.tables.join('+')}\n`)
        .join(''),
    );
  if (run.code !== 0) throw new Error(`reconcile: exit ${run.code}\n${run.stderr.slice(-2000)}`);
  const out = JSON.parse(run.stdout) as {
    snapshot: { manifest: { startedAt: string; finishedAt: string } };
    applied: { removed: number; deleted?: number; failed: number };
  };
  const calls = sandbox.quickSight.faults.counters.calls - callsBefore;
  const throttled = sandbox.quickSight.faults.counters.throttled - throttledBefore;
  const deleted = users - org.quickSight.size;
  const pages = Math.ceil(users / PAGE);
  const idealMs = ((pages + deleted) / RATE) * 1000;
  const snapStart = Date.parse(out.snapshot.manifest.startedAt);
  const snapEnd = Date.parse(out.snapshot.manifest.finishedAt);
  const planMade = logTime(run.stderr, 'plan made');
  const workerStart = logTime(run.stderr, 'worker started');
  const workerEnd = logTime(run.stderr, 'worker finished');
  const total = run.exitedAt - run.spawnedAt;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  /** DynamoDB requests from `from` to `to` (epoch ms), with the three most frequent operations. */
  const dynamo = (from: number, to: number) => {
    const ops = new Map<string, number>();
    for (const r of requests)
      if (r.at >= from && r.at < to) ops.set(r.operation, (ops.get(r.operation) ?? 0) + 1);
    const total = [...ops.values()].reduce((a, b) => a + b, 0);
    const top = [...ops.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    return `${total}${total > 0 ? ` (${top})` : ''}`;
  };
  console.log(
    `reconcile of ${LEAVERS} leavers (${sync.deleted.length} IdC users deleted by the sync), ` +
      `${users.toLocaleString('en-US')} QuickSight users, stand-in ${RATE} calls/s (burst ${BURST})`,
  );
  const recalled = logRecord(run.stderr, 'pacer starts from the remembered QuickSight pace');
  console.log(
    recalled
      ? `the worker started from the remembered pace: ${recalled.estimate} calls/s (rate ${recalled.rate})`
      : 'the worker slow-started (no remembered pace)',
  );
  console.log(
    `QuickSight calls: ${calls} (${pages} ListUsers pages + ${deleted} deletions + ${calls - pages - deleted} other, ${throttled} throttled)`,
  );
  console.log('| part | time | DynamoDB requests |');
  console.log('|---|---|---|');
  /** Every operation and table of the requests from `from` to `to`, most frequent first. */
  const byTable = (from: number, to: number) => {
    const counts = new Map<string, number>();
    for (const r of requests) {
      if (r.at < from || r.at >= to) continue;
      const key = `${r.operation} ${r.tables.join('+') || '-'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => `${key} ${n}`)
      .join(', ');
  };
  const details: string[] = [];
  const row = (label: string, from: number, to: number) => {
    console.log(`| ${label} | ${s(to - from)} | ${dynamo(from, to)} |`);
    details.push(`${label}: ${byTable(from, to) || 'none'}`);
  };
  row('start-up (spawn → snapshot start)', run.spawnedAt, snapStart);
  row('snapshot', snapStart, snapEnd);
  row('plan (snapshot end → "plan made")', snapEnd, planMade);
  row('apply set-up ("plan made" → worker start)', planMade, workerStart);
  row('worker', workerStart, workerEnd);
  row('tail (worker end → exit)', workerEnd, run.exitedAt);
  console.log(`| **total** | **${s(total)}** | ${dynamo(run.spawnedAt, run.exitedAt)} |`);
  console.log(`| QuickSight calls alone: (${pages} + ${deleted}) / ${RATE}/s | ${s(idealMs)} | |`);
  console.log(`| **ratio** | **${(total / idealMs).toFixed(2)}×** | |`);
  console.log('DynamoDB requests per part, by operation and table:');
  for (const line of details) console.log(`- ${line}`);
  console.log(
    `CPU: the CLI ${(cliUser + cliSystem).toFixed(1)} s, the sandbox process (dynalite + stand-ins) ` +
      `${((sandboxCpu.user + sandboxCpu.system) / 1e6).toFixed(1)} s, in ${s(total)} of wall time; ` +
      `load average (1 min) at the end: ${loadavg()[0]?.toFixed(1)}`,
  );
} finally {
  await sandbox.close();
}
