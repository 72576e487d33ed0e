/**
 * `npx tsx test/bench/cli/bench.ts [runs]`: start-up time of the built `idsync` command. Builds
 * dist/ (scripts/build-cli.mjs, as `npm ci` does), then runs `node bin/idsync.js --help`,
 * `--version` and `plan --help` `runs` times each (default 21), in turn, each a fresh process,
 * and reports the median and 90th percentile wall time from spawn to exit. Target: `--help`
 * median under 300 ms on the 2-core development machine. Results: BENCHMARKS.md, "CLI start-up".
 */
import { execFileSync, spawnSync } from 'node:child_process';

const RUNS = Number(process.argv[2] ?? 21);
const root = new URL('../../..', import.meta.url).pathname;
execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });

const cases: Record<string, string[]> = {
  '--help': ['--help'],
  '--version': ['--version'],
  'plan --help': ['plan', '--help'],
};
const times = new Map(Object.keys(cases).map((k) => [k, [] as number[]]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, argv] of Object.entries(cases)) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['bin/idsync.js', ...argv], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
      stdio: 'ignore',
    });
    if (result.status !== 0) throw new Error(`idsync ${argv.join(' ')} exited ${result.status}`);
    times.get(name)?.push(performance.now() - started);
  }
}
const at = (sorted: number[], q: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
console.log(`| command | median | p90 | runs |`);
console.log('|---|---|---|---|');
for (const [name, values] of times) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`| \`idsync ${name}\` | ${at(sorted, 0.5)} ms | ${at(sorted, 0.9)} ms | ${RUNS} |`);
}
const bare = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  bare.push(performance.now() - started);
}
console.log(
  `| \`node -e 0\` (Node start alone) | ${at(
    bare.sort((a, b) => a - b),
    0.5,
  )} ms | | ${RUNS} |`,
);
