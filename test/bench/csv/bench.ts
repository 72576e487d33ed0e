/**
 * CSV benchmark: `idsync remove --csv FILE` (dry run) and `idsync activity import --csv FILE
 * --as-of DATE` on a CSV of `rows` rows (default 300,000) against a sandbox organisation of
 * 20,000 QuickSight Readers (test/bench/snapshot/serve-large-org.ts, in a child process). Each
 * command runs as the built CLI (bin/idsync.js, or `--cli=PATH` for another build, e.g. a copy of
 * an older dist/) under /usr/bin/time for its peak RSS, killed after `--timeout=S` seconds
 * (default 180). Targets: each under 60 s and under 250 MB peak RSS on the 2-core machine.
 *
 * The CSVs: remove — `rows` distinct emails, the first 20,000 of them QuickSight users (the rest
 * `not_found`); import — `rows` rows naming the 20,000 users again and again (duplicates keep the
 * newest date) and every 15th row an unknown person (refused). `--only=remove|import`.
 *
 *   npx tsx test/bench/csv/bench.ts [rows] [--cli=PATH] [--timeout=S] [--only=remove|import]
 *     [--heap-mb=N]
 *
 * `--heap-mb=N` runs the commands with NODE_OPTIONS=--max-old-space-size=N (a deployment
 * setting, not a code path: without it Node sizes the heap from the machine's memory).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('../../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 300_000);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const cli = option('cli') ?? join(root, 'bin/idsync.js');
const timeoutS = Number(option('timeout') ?? 180);
const only = option('only');
const heapMb = option('heap-mb');
const USERS = 20_000;
const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
if (option('cli') === undefined)
  spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });

const dir = mkdtempSync(join(tmpdir(), 'idsync-csv-bench-'));
const email = (i: number) => `bench.user${i}@example.com`;

async function writeCsv(file: string, header: string, line: (i: number) => string) {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${line(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

const day = (i: number) =>
  `2026-${String(1 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
const removeCsv = join(dir, 'remove.csv');
const importCsv = join(dir, 'import.csv');
await writeCsv(removeCsv, 'email,name', (i) => `${email(i)},Bench User ${i}`);
await writeCsv(importCsv, 'email,last_active', (i) =>
  i % 15 === 14 ? `unknown.person${i}@example.com,${day(i)}` : `${email(i % USERS)},${day(i)}`,
);

const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'test/bench/snapshot/serve-large-org.ts', '1000', '1000', String(USERS)],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: quietEnv },
);
const ready = JSON.parse(
  await new Promise<string>((resolve) =>
    createInterface({ input: server.stdout }).once('line', resolve),
  ),
) as { env: Record<string, string> };
const env = {
  ...quietEnv,
  ...ready.env,
  IDSYNC_LOG_LEVEL: 'warn',
  ...(heapMb ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {}),
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `machine: ${availableParallelism()} CPUs, node ${process.version}; CLI ${cli}; ${rows} rows, ${USERS} QuickSight users; ${heapMb ? `--max-old-space-size=${heapMb}` : 'default heap limit'}`,
);
const snap = spawnSync(process.execPath, [cli, 'snapshot'], { cwd: root, env, encoding: 'utf8' });
if (snap.status !== 0) throw new Error(`snapshot failed: ${snap.stderr}`);

function timed(label: string, cliArgs: string[]) {
  const loadBefore = load();
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, ...cliArgs, '--json'], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
  });
  const wallS = (performance.now() - started) / 1000;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  const cpu =
    Number(/User time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
  const finished = run.signal === null && run.status !== null;
  let summary = '';
  try {
    const out = JSON.parse(run.stdout);
    summary = label.startsWith('remove')
      ? `plan counts ${JSON.stringify(out.plan?.plan?.counts)}`
      : `written ${out.written}, unchanged ${out.unchanged}, refused ${JSON.stringify(out.refused ?? out.errors?.length)}`;
  } catch {
    summary = run.stderr.split('\n').slice(-3).join(' | ').slice(0, 300);
  }
  console.log(
    `${label}: ${finished ? `exit ${run.status}` : `KILLED after ${timeoutS} s`}; wall ${wallS.toFixed(1)} s, CPU ${cpu.toFixed(1)} s, peak RSS ${(rssKb / 1024).toFixed(0)} MB; load before ${loadBefore}, after ${load()}`,
  );
  console.log(`  ${summary}`);
}

const help = spawnSync(process.execPath, [cli, 'activity', 'import', '--help'], {
  cwd: root,
  env,
  encoding: 'utf8',
});
const asOf = help.stdout.includes('--as-of') ? ['--as-of', '2026-11-30T00:00:00Z'] : [];
if (only !== 'import') timed('remove --csv (dry run)', ['remove', '--csv', removeCsv]);
if (only !== 'remove')
  timed('activity import', ['activity', 'import', '--csv', importCsv, ...asOf]);

server.stdin.end();
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
