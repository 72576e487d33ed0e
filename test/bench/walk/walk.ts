/**
 * `npx tsx test/bench/walk/walk.ts [reconcile|csv|event]`: the files one removal runs through, measured
 * instead of drawn by hand (docs/ARCHITECTURE.md, "The walk of one removal").
 *
 * Two fresh sandboxes of the same demo organisation (the same seed), each with a first snapshot
 * taken; in one of them one Reader is removed, and the entry runs in both as a fresh `idsync`
 * process (the TypeScript sources through tsx) with V8's precise coverage on
 * (NODE_V8_COVERAGE: how many times each function ran):
 * - `reconcile`: one person leaves their Google groups (the SCIM sync deletes their IdC user),
 *   then `idsync reconcile --apply`; in the other sandbox nobody leaves;
 * - `csv`: `idsync remove --csv FILE --apply` with that Reader's email, and with no row;
 * - `event`: one person leaves (in both sandboxes), then `idsync handle-event FILE --apply` with
 *   the SCIM sync's DeleteUser event of their IdC user, and with none (`[]`): the event
 *   function's and the worker function's work in one process, without the Lambda and SQS
 *   wrappers.
 * A file is on the walk when any of its functions ran more often with the removal than without:
 * the work one removal adds, with the set-up and composition both runs share left out. The list
 * is printed with the files the drawing leaves out set apart (configuration, the logger, CLI I/O
 * and formatting, and for `reconcile` the snapshot job, which is not counted).
 * A function whose count depends on timing (a timer's tick) can add a file by chance: run it twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoOrg } from '../../../services/sandbox/scenarios/org.js';
import { startSandbox } from '../../../services/sandbox/start-sandbox.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';

const ENTRY = process.argv[2] ?? 'reconcile';
if (!['reconcile', 'csv', 'event'].includes(ENTRY)) throw new Error(`unknown entry ${ENTRY}`);
const root = new URL('../../..', import.meta.url).pathname;
const cli = `import { runCli } from '${root}services/cli/main.ts'; process.exitCode = await runCli(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env });`;

interface Coverage {
  readonly result: ReadonlyArray<{
    readonly url: string;
    readonly functions: ReadonlyArray<{
      readonly functionName: string;
      readonly ranges: ReadonlyArray<{ readonly startOffset: number; readonly count: number }>;
    }>;
  }>;
}

/** Call counts per function (`file#name@offset`) of the repository's own files. */
function counts(dir: string): Map<string, number> {
  const byFunction = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Coverage;
    for (const script of data.result) {
      if (!script.url.startsWith(`file://${root}`) || script.url.includes('/node_modules/'))
        continue;
      const file = script.url.slice(`file://${root}`.length);
      for (const fn of script.functions) {
        const range = fn.ranges[0];
        if (!range) continue;
        const key = `${file}#${fn.functionName}@${range.startOffset}`;
        byFunction.set(key, (byFunction.get(key) ?? 0) + range.count);
      }
    }
  }
  return byFunction;
}

/** One sandbox: a snapshot, then `remove` (one Reader removed or not), then the entry, covered. */
async function covered(remove: boolean): Promise<Map<string, number>> {
  const org = demoOrg(42);
  const sandbox = await startSandbox({ org });
  const dir = mkdtempSync(join(tmpdir(), 'idsync-walk-'));
  const run = (argv: string[], coverage?: string) =>
    new Promise<void>((resolve, reject) => {
      const env = {
        PATH: process.env.PATH ?? '',
        ...sandbox.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...(coverage ? { NODE_V8_COVERAGE: coverage } : {}),
      };
      const args = ['--import', 'tsx', '--input-type=module', '-e', cli, ...argv];
      const child = spawn(process.execPath, args, {
        cwd: root,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + String(chunk)).slice(-4000);
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`idsync ${argv.join(' ')}: exit ${code}\n${stderr}`)),
      );
    });
  try {
    await run(['init-tables']);
    await run(['snapshot']);
    const coverage = join(dir, 'coverage');
    if (ENTRY === 'reconcile') {
      if (remove) removePeople(org, { count: 1 });
      await run(['reconcile', '--apply'], coverage);
    } else if (ENTRY === 'event') {
      const { events } = removePeople(org, { count: 1 });
      const file = join(dir, 'events.json');
      writeFileSync(file, JSON.stringify(remove ? events : []));
      await run(['handle-event', file, '--apply'], coverage);
    } else {
      const reader = org.quickSight
        .list()
        .find((u) => u.role === 'READER' && u.identityType === 'IAM' && u.email);
      const csv = join(dir, 'people.csv');
      writeFileSync(csv, `email\n${remove && reader ? `${reader.email}\n` : ''}`);
      await run(['remove', '--csv', csv, '--apply'], coverage);
    }
    return counts(coverage);
  } finally {
    await sandbox.close();
  }
}

const without = await covered(false);
const withRemoval = await covered(true);
const files = new Set<string>();
const grown: string[] = [];
for (const [key, n] of withRemoval) {
  if (n <= (without.get(key) ?? 0)) continue;
  files.add(key.slice(0, key.indexOf('#')));
  grown.push(`${key}: ${without.get(key) ?? 0} → ${n}`);
}
// WALK_FUNCTIONS=<file>: every function that ran more often, with both counts.
if (process.env.WALK_FUNCTIONS)
  writeFileSync(process.env.WALK_FUNCTIONS, `${grown.sort().join('\n')}\n`);

/** What the drawing leaves out, by path. */
const LEFT_OUT: ReadonlyArray<readonly [string, RegExp]> = [
  ['configuration', /^shared\/config\/|^services\/cli\/(lazy-config|env-file)\.ts$/],
  ['logger', /^shared\/logger\.ts$/],
  [
    'CLI I/O and formatting',
    /^services\/cli\/(format-|line-progress|json-stream|highlight|program|main|read-input|csv-read-line|run-exit|command-context)|^shared\/(terminal-text|needs-attention)\.ts$/,
  ],
  ...(ENTRY === 'reconcile'
    ? ([
        [
          'the snapshot job',
          /^services\/snapshot\/|^services\/cli\/take-snapshot\.ts$|^shared\/google\/|^shared\/read-ahead\.ts$|^shared\/dynamo\/identity-(listing|map-store)\.ts$/,
        ],
      ] as const)
    : []),
];
const walk = [...files].sort().filter((f) => !LEFT_OUT.some(([, re]) => re.test(f)));
console.log(`the walk of one removal (${ENTRY}): ${walk.length} files`);
for (const f of walk) console.log(`  ${f}`);
for (const [label, re] of LEFT_OUT) {
  const out = [...files].sort().filter((f) => re.test(f));
  if (out.length > 0) console.log(`left out, ${label}: ${out.join(', ')}`);
}
