/**
 * Snapshot benchmark (issue: Snapshot job): `idsync snapshot` against the sandbox serving a large
 * organisation — by default 100k IdC users, 100k Google members, 20k QuickSight users. The
 * sandbox runs in a child process; each snapshot runs as the real CLI in another, under
 * /usr/bin/time for its peak RSS. Two snapshots of the same organisation: the FIRST into empty
 * tables (every identity-map record and ledger bucket is new), then the SECOND (steady state:
 * nothing changed). Prints, for each, wall time, peak RSS, the snapshot's own split of time
 * spent waiting for pages vs. for DynamoDB, and the DynamoDB items written. Targets: < 60 s, < 300 MB.
 *
 *   npx tsx test/bench/snapshot/bench.ts [idcUsers googleMembers quickSightUsers] [--disk]
 *     [--own-dynamo] [--heap-mb=N]
 *
 * `--disk` keeps dynalite on LevelDB in a temporary directory instead of in memory.
 * `--own-dynamo` runs dynalite in a process of its own instead of in the sandbox's.
 * `--heap-mb=N` runs the snapshot with NODE_OPTIONS=--max-old-space-size=N (a deployment
 * setting, not a code path; without it Node sizes the heap from the machine's memory).
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';

const root = new URL('../../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const disk = args.includes('--disk');
const ownDynamo = args.includes('--own-dynamo');
const heapMb = args.find((a) => a.startsWith('--heap-mb='))?.split('=')[1];
const numbers = args.filter((a) => /^\d+$/.test(a));
const sizes = numbers.length === 3 ? numbers : ['100000', '100000', '20000'];
const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
// The CLI under test is the built one (bin/idsync.js runs dist/): build it from these sources.
spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });

const server = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'test/bench/snapshot/serve-large-org.ts',
    ...sizes,
    ...(disk ? ['--disk'] : []),
  ],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: quietEnv },
);
const firstLine = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
});
const { env, counts } = JSON.parse(firstLine) as {
  env: Record<string, string>;
  counts: Record<string, number>;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `machine: ${availableParallelism()} CPUs, node ${process.version}, dynalite ${disk ? 'on disk' : 'in memory'} ${ownDynamo ? 'in its own process' : 'in the sandbox process'}, ${heapMb ? `--max-old-space-size=${heapMb}` : 'default heap limit'}`,
);
console.log(`sandbox ready: ${JSON.stringify(counts)}; load average ${load()}`);

interface SnapshotJson {
  manifest: { status: string; sources: Record<string, { count: number; pages: number }> };
  timings: Record<'pagingMs' | 'writingMs' | 'listingMs' | 'finishingMs' | 'totalMs', number>;
  itemsWritten: Record<'snapshots' | 'identities' | 'ledger', number>;
  goneUserIds: string[];
}

function snapshot(label: string): void {
  const loadBefore = load();
  const started = performance.now();
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', 'MAXRSS_KB=%M', process.execPath, 'bin/idsync.js', 'snapshot', '--json'],
    {
      cwd: root,
      env: {
        ...quietEnv,
        ...env,
        IDSYNC_LOG_LEVEL: 'warn',
        ...(heapMb ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {}),
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallS = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    server.stdin.end();
    process.exit(1);
  }
  const rssKb = Number(/MAXRSS_KB=(\d+)/.exec(run.stderr)?.[1]);
  const r = JSON.parse(run.stdout) as SnapshotJson;
  const s = r.manifest.sources;
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const w = r.itemsWritten;
  const rows = [
    ['status', r.manifest.status],
    [
      'IdC users / Google members / QuickSight users',
      `${s.idc?.count} / ${s.google?.count} / ${s.quicksight?.count}`,
    ],
    [
      'wall time of `idsync snapshot` (process start to exit)',
      `${wallS.toFixed(1)} s (target < 60 s)`,
    ],
    ['snapshot run (inside the process)', sec(r.timings.totalMs)],
    ['  listing: every page read and stored', sec(r.timings.listingMs)],
    ['  finishing: goneAt, ledger, manifest, expiry', sec(r.timings.finishingMs)],
    ['waiting for pages (sum over the 3 concurrent sources)', sec(r.timings.pagingMs)],
    ['waiting for DynamoDB (sum over the 3 concurrent sources)', sec(r.timings.writingMs)],
    [
      'DynamoDB items written: snapshots / identities / ledger',
      `${w.snapshots} / ${w.identities} / ${w.ledger}`,
    ],
    ['peak RSS of the snapshot process', `${(rssKb / 1024).toFixed(0)} MB (target < 300 MB)`],
    ['load average before / after (1 5 15 min)', `${loadBefore} / ${load()}`],
  ];
  console.log(`\n${label}`);
  for (const [k, v] of rows) console.log(`  ${String(k).padEnd(58)} ${v}`);
}

snapshot('FIRST snapshot (empty tables)');
snapshot('SECOND snapshot (same organisation, steady state)');
server.stdin.end();
process.exit(0);
