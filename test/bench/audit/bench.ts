/**
 * Audit export benchmark (issue: Audit, operator report): seeds one run of 100k audit rows
 * (decisions and outcomes, as the planner and the worker write them) into dynalite, then times
 * `idsync audit --run X --format csv --out file` (the run function), plus JSON and a --since
 * export through GSI byDay. dynalite and each export run in their own processes; each export's
 * peak RSS comes from /usr/bin/time. The CSV is read back to check every row arrived.
 * Target: seconds, not minutes (the seed team's export took ~30 minutes). Results: BENCHMARKS.md.
 *
 *   npx tsx test/bench/audit/bench.ts [rows]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse';
import { decisionRow } from '../../../services/removals/plan/run-plan.js';
import { outcomeRecord } from '../../../services/removals/worker/task-call.js';
import { BatchWriter } from '../../../shared/dynamo/batch.js';
import { tableNames } from '../../../shared/tables.js';

const here = new URL('.', import.meta.url).pathname;
const total = Number(process.argv[2] ?? 100_000);
const runId = '20261127T164701Z-bench';
const start = Date.parse('2026-11-26T22:00:00.000Z');

const server = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve-dynamo.ts')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const endpoint = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`dynalite exited ${code}`)));
});
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const doc = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true },
});
const table = tableNames('bench').audit;

/** Row i: a decision (even) or the outcome of the one before (odd), spread over two UTC days. */
function row(i: number): Record<string, unknown> {
  const person = Math.floor(i / 2);
  const at = new Date(start + person * 1_000).toISOString();
  const email = `bench.user${person}@example.com`;
  const userName = `AWSReservedSSO_QuickSightReader_0123456789abcdef/${email}`;
  const user = {
    userName,
    arn: `arn:aws:quicksight:us-east-1:111122223333:user/default/${userName}`,
    role: 'READER',
    identityType: 'IAM',
  };
  const reason = `READER user ${userName} belongs to a leaver; named by group removal (last seen in readers@example.com, "Zoë O'Brien, Jr.")`;
  const record =
    i % 2 === 0
      ? decisionRow(runId, at, {
          email,
          source: 'group_removal',
          sources: ['group_removal'],
          decision: 'delete',
          reason,
          quickSightUser: user,
        })
      : outcomeRecord({
          runId,
          owner: 'bench',
          attempts: 1,
          startedAt: at,
          finishedAt: at,
          outcome: person % 97 === 0 ? 'failed' : 'deleted',
          task: {
            ...user,
            taskId: `default#${userName}`,
            status: 'DONE',
            runId,
            email,
            source: 'group_removal',
            reason,
            createdAt: at,
            updatedAt: at,
            attempts: 1,
          },
        });
  return { ...record, sk: `${at}#${String(i).padStart(6, '0')}#0000`, day: at.slice(0, 10) };
}

const seedStarted = performance.now();
const writer = new BatchWriter(doc, table, { maxInFlight: 8 });
for (let i = 0; i < total; i++) await writer.put(row(i));
await writer.flush();
const seedS = (performance.now() - seedStarted) / 1000;
console.log(`seeded ${total.toLocaleString('en-US')} audit rows in ${seedS.toFixed(1)} s`);

const dir = await mkdtemp(join(tmpdir(), 'idsync-audit-bench-'));
interface Measured {
  label: string;
  rows: number;
  seconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  rssMb: number;
  bytes: number;
  out: string;
}
function exportOnce(
  label: string,
  format: string,
  file: string,
  flag: string,
  value: string,
): Promise<Measured> {
  const out = join(dir, file);
  const started = performance.now();
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'MAXRSS_KB=%M CPU_USER=%U CPU_SYS=%S',
      process.execPath,
      '--import',
      'tsx',
      join(here, 'export-once.ts'),
      endpoint,
      format,
      out,
      flag,
      value,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`export ${label} failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
    rows: number;
    ms: number;
  };
  const rssKb = Number(/MAXRSS_KB=(\d+)/.exec(run.stderr)?.[1]);
  const cpu = /CPU_USER=([\d.]+) CPU_SYS=([\d.]+)/.exec(run.stderr);
  const cpuSeconds = Number(cpu?.[1]) + Number(cpu?.[2]);
  return stat(out).then((s) => ({
    label,
    rows: result.rows,
    seconds: result.ms / 1000,
    wallSeconds,
    cpuSeconds,
    rssMb: rssKb / 1024,
    bytes: s.size,
    out,
  }));
}

const results = [
  await exportOnce(
    '`--run X --format csv --out audit.csv` (table key), first read after seeding',
    'csv',
    'audit.csv',
    '--run',
    runId,
  ),
  await exportOnce(
    '`--run X --format csv --out audit.csv` (table key), again',
    'csv',
    'audit2.csv',
    '--run',
    runId,
  ),
  await exportOnce(
    '`--run X --format json --out audit.json` (table key)',
    'json',
    'audit.json',
    '--run',
    runId,
  ),
  await exportOnce(
    '`--since 2026-11-26 --format csv` (GSI byDay, 2 days)',
    'csv',
    'since.csv',
    '--since',
    '2026-11-26T00:00:00.000Z',
  ),
];
const baseline = await exportOnce(
  '`--run none` (0 rows: the process without an export)',
  'csv',
  'empty.csv',
  '--run',
  'none',
);
let parsed = 0;
for await (const _ of createReadStream(results[0]?.out as string).pipe(
  parse({ bom: true, columns: true }),
))
  parsed++;
if (parsed !== total) throw new Error(`CSV holds ${parsed} rows, expected ${total}`);
console.log(`CSV read back with csv-parse: ${parsed.toLocaleString('en-US')} rows`);

console.log('\n| export | rows | export time | rows/s | process wall / CPU | peak RSS | file |');
console.log('|---|---|---|---|---|---|---|');
for (const r of [...results, baseline]) {
  const rate = r.rows > 0 ? Math.round(r.rows / r.seconds).toLocaleString('en-US') : '–';
  console.log(
    `| ${r.label} | ${r.rows.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} s | ${rate} | ${r.wallSeconds.toFixed(1)} s / ${r.cpuSeconds.toFixed(1)} s | ${r.rssMb.toFixed(0)} MB | ${(r.bytes / 1024 / 1024).toFixed(1)} MB |`,
  );
}
client.destroy();
server.stdin.end();
await rm(dir, { recursive: true, force: true });
if (results.some((r) => r.rows !== total)) {
  console.error('an export did not return every row');
  process.exit(1);
}
process.exit(0);
