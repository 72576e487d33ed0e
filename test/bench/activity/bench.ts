/**
 * Activity benchmark: `idsync activity sync` backfilling 90 days for the demo
 * organisation (≈ 2,200 QuickSight users) from 20,000 QuickSight CloudTrail events through the
 * LookupEvents stand-in at the real limit (2 calls a second). The sandbox runs in a child
 * process (./serve-activity.ts); a snapshot is taken first (on-behalf-of events resolve against
 * it), then the backfill runs as the real CLI under /usr/bin/time for its peak RSS.
 *
 * Reports: wall time as a ratio to the physical minimum (events ÷ 50 a page ÷ 2 calls a second;
 * 200 s for 20,000; target ≤ 1.2×), peak RSS (target < 200 MB), activity items written
 * (target ≤ one per user per hour of history), LookupEvents calls against the pages the data
 * needs, throttles. Then a second run (nothing new) for its cost.
 *
 *   npx tsx test/bench/activity/bench.ts [events] [--heap-mb=N]
 *
 * `--heap-mb=N` runs the sync with NODE_OPTIONS=--max-old-space-size=N (a deployment setting,
 * not a code path: without it Node sizes the heap from the machine's memory and collects late).
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';

const root = new URL('../../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const events = args.find((a) => /^\d+$/.test(a)) ?? '20000';
const heapMb = args.find((a) => a.startsWith('--heap-mb='))?.split('=')[1];
const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'test/bench/activity/serve-activity.ts', events],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: quietEnv },
);
const lines = createInterface({ input: server.stdout });
const nextLine = () =>
  new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    server.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
const ready = JSON.parse(await nextLine()) as {
  env: Record<string, string>;
  events: number;
  users: number;
  idleReaders: number;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `machine: ${availableParallelism()} CPUs, node ${process.version}; load ${load()}; ${heapMb ? `--max-old-space-size=${heapMb}` : 'default heap limit'}`,
);
console.log(
  `sandbox: ${ready.users} QuickSight users (${ready.idleReaders} Readers idle > 60 days), ${ready.events} QuickSight CloudTrail events`,
);

const env = {
  ...quietEnv,
  ...ready.env,
  IDSYNC_LOG_LEVEL: 'warn',
  ...(heapMb ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {}),
};
const snap = spawnSync(process.execPath, ['bin/idsync.js', 'snapshot'], {
  cwd: root,
  env,
  encoding: 'utf8',
});
if (snap.status !== 0) throw new Error(`snapshot failed: ${snap.stderr}`);

function timedSync(label: string) {
  const started = performance.now();
  const run = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, 'bin/idsync.js', 'activity', 'sync', '--days', '90', '--json'],
    { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const wallS = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${label} exited ${run.status}: ${run.stderr}`);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  const summary = JSON.parse(run.stdout) as {
    pages: number;
    events: number;
    written: number;
    unchanged: number;
    attributed: number;
    unresolved: number;
    ignored: Record<string, number>;
    calls: { calls: number; throttled: number; retries: number };
    covered?: { from: string; to: string };
  };
  return { wallS, rssMb: rssKb / 1024, summary };
}

const first = timedSync('backfill');
server.stdin.write('stats\n');
const counters = JSON.parse(await nextLine()) as { calls: number; throttled: number };
const minimumS = ready.events / 50 / 2;
const pagesNeeded = Math.ceil(ready.events / 50);
const hours =
  first.summary.covered !== undefined
    ? (Date.parse(first.summary.covered.to) - Date.parse(first.summary.covered.from)) / 3_600_000
    : 0;
console.log(`\nbackfill (first run, 90 days):`);
console.log(
  `  wall ${first.wallS.toFixed(1)} s; physical minimum ${minimumS.toFixed(0)} s; ratio ${(first.wallS / minimumS).toFixed(3)}× (target ≤ 1.2×)`,
);
console.log(`  peak RSS ${first.rssMb.toFixed(0)} MB (target < 200 MB)`);
console.log(
  `  LookupEvents calls ${first.summary.calls.calls} (server saw ${counters.calls}, throttled ${counters.throttled}); pages the data needs ${pagesNeeded} (+1 catch-up page at most)`,
);
console.log(
  `  events read ${first.summary.events}, attributed ${first.summary.attributed}, unresolved ${first.summary.unresolved}, ignored ${JSON.stringify(first.summary.ignored)}`,
);
console.log(
  `  activity items written ${first.summary.written} for ${ready.users} users (${(first.summary.written / ready.users).toFixed(2)} per user; bound: one per user per hour of history = ${Math.round(ready.users * hours)}), evidence coalesced ${first.summary.unchanged}`,
);

const second = timedSync('second run');
console.log(`\nsecond run (nothing new):`);
console.log(
  `  wall ${second.wallS.toFixed(1)} s, peak RSS ${second.rssMb.toFixed(0)} MB, calls ${second.summary.calls.calls}, events ${second.summary.events}, written ${second.summary.written}`,
);
server.stdin.end();
await new Promise((r) => server.once('exit', r));
