/**
 * `npx tsx test/bench/lambda/bench.ts [runs]`: bundles each Lambda handler with the stack's
 * esbuild settings (infra/constructs/idsync-function.ts `idsyncBundling()`: ESM, minified,
 * node24, the createRequire banner, SDK bundled), then reports the minified size, the biggest
 * packages in it (esbuild metafile) and the cold import time: the median over `runs` (default 9)
 * fresh Node processes, bundles taken in turn, wall and CPU time. Results: BENCHMARKS.md,
 * "Lambda bundles".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { defaultEntry, idsyncBundling, JOBS } from '../../../infra/constructs/idsync-function.js';

const RUNS = Number(process.argv[2] ?? 9);
const dir = mkdtempSync(join(tmpdir(), 'idsync-bundles-'));

/** Bytes in the output per package (or per repo folder), biggest first. */
function topPackages(meta: Metafile, count: number): string {
  const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('.mjs'))?.[1];
  const by = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/')[0] ?? file;
    by.set(pkg, (by.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([p, b]) => `${p} ${Math.round(b / 1024)} KiB`)
    .join(', ');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
};

try {
  const options = idsyncBundling();
  const bundles = [];
  for (const job of JOBS) {
    const outfile = join(dir, job, 'index.mjs');
    const result = await build({
      entryPoints: [defaultEntry(job)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: options.mainFields as string[],
      minify: options.minify as boolean,
      sourcemap: true,
      sourcesContent: false,
      target: options.target as string,
      banner: { js: options.banner as string },
      outfile,
      metafile: true,
      logLevel: 'error',
    });
    bundles.push({ job, outfile, bytes: statSync(outfile).size, meta: result.metafile });
  }
  const probe = (path: string) =>
    `const c = process.cpuUsage(); const s = performance.now(); await import(${JSON.stringify(path)});` +
    'const u = process.cpuUsage(c); console.log(JSON.stringify({ wall: performance.now() - s, cpu: (u.user + u.system) / 1000 }));';
  const times = new Map(bundles.map((b) => [b.job, { wall: [] as number[], cpu: [] as number[] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const b of bundles) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe(b.outfile)], {
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
      });
      const t = JSON.parse(out.toString().trim().split('\n').pop() ?? '{}');
      times.get(b.job)?.wall.push(t.wall);
      times.get(b.job)?.cpu.push(t.cpu);
    }
  }
  console.log(
    `| function | minified | cold import, wall (median of ${RUNS}) | CPU | biggest parts |`,
  );
  console.log('|---|---|---|---|---|');
  for (const b of bundles) {
    const t = times.get(b.job);
    console.log(
      `| ${b.job} | ${b.bytes.toLocaleString('en-US')} B | ${median(t?.wall ?? [])} ms | ${median(t?.cpu ?? [])} ms | ${topPackages(b.meta, 4)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
