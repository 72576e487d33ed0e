#!/usr/bin/env node
/**
 * A rerunnable mutation check of the rules that decide deletions (docs/ARCHITECTURE.md,
 * "Mutation check"). Each named mutation changes one boundary of one rule file (exact search
 * text → replacement), runs the unit test files that should notice, and restores the file,
 * always: after the run, on an error, and on Ctrl-C. A mutation is killed when its tests fail.
 * Prints a table and exits non-zero when any mutation survived or could not be applied.
 *
 *   npm run mutation              every mutation
 *   npm run mutation -- NAME ...  only those
 *
 * Slow (one vitest run per mutation): not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const REJOIN_TESTS = [
  'test/shared/removal-rules-veto.test.ts',
  'test/services/removals/plan/decide.test.ts',
];
const UNNAMED_TESTS = [
  'test/shared/quicksight-user-rules-unnamed.test.ts',
  'test/shared/activity-record.test.ts',
  'test/shared/dynamo/task-store.test.ts',
];
const TASK_CONDITION_TESTS = ['test/shared/dynamo/task-conditions.test.ts'];
const MANAGED_TESTS = [
  'test/shared/quicksight-user-rules-managed.test.ts',
  'test/services/removals/idle/inactive-removals.test.ts',
  'test/services/removals/plan/plan-removals-leavers.test.ts',
];
const IDLE_TESTS = [
  'test/shared/idle-rule.test.ts',
  'test/services/removals/idle/idle-judgement.test.ts',
];
const NOTICE_TESTS = ['test/shared/notice-rule.test.ts'];

const MUTATIONS = [
  {
    name: 'notice rule: activity at the send time is not after it (>= → >)',
    file: 'shared/notice-rule.ts',
    search: 'lastMs + COALESCE_MS >= sentMs',
    replace: 'lastMs + COALESCE_MS > sentMs',
    tests: NOTICE_TESTS,
  },
  {
    name: 'notice rule: coalescing margin dropped',
    file: 'shared/notice-rule.ts',
    search: 'lastMs + COALESCE_MS >= sentMs',
    replace: 'lastMs >= sentMs',
    tests: NOTICE_TESTS,
  },
  {
    name: 'notice rule: a notice exactly the notice days old is too young (< → <=)',
    file: 'shared/notice-rule.ts',
    search: 'now.getTime() - sentMs < noticeDays * DAY_MS',
    replace: 'now.getTime() - sentMs <= noticeDays * DAY_MS',
    tests: NOTICE_TESTS,
  },
  {
    name: 'rejoin: CloudTrail precision 1000 ms → 0',
    file: 'shared/removal-rules.ts',
    search: 'export const EVENT_TIME_PRECISION_MS = 1000;',
    replace: 'export const EVENT_TIME_PRECISION_MS = 0;',
    tests: REJOIN_TESTS,
  },
  {
    name: 'rejoin: queue-time precision 1 ms → 0',
    file: 'shared/removal-rules.ts',
    search: 'export const QUEUE_TIME_PRECISION_MS = 1;',
    replace: 'export const QUEUE_TIME_PRECISION_MS = 0;',
    tests: REJOIN_TESTS,
  },
  {
    name: 'rejoin: observed at the boundary not newer (>= → >)',
    file: 'shared/removal-rules.ts',
    search: 'return Date.parse(observedAt) >= Date.parse(eventAt) + precisionMs;',
    replace: 'return Date.parse(observedAt) > Date.parse(eventAt) + precisionMs;',
    tests: REJOIN_TESTS,
  },
  {
    name: 'unnamed key: N/A#<id> → N/A<id>',
    file: 'shared/quicksight-user-rules.ts',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    search: 'return `${UNNAMED_USER}#${principalId}`;',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    replace: 'return `${UNNAMED_USER}${principalId}`;',
    tests: UNNAMED_TESTS,
  },
  {
    name: 'unnamed key: activity record keys N/A# without a principal id',
    file: 'shared/quicksight-user-rules.ts',
    search: 'return user.userName === UNNAMED_USER && user.principalId',
    replace: 'return user.userName === UNNAMED_USER',
    tests: UNNAMED_TESTS,
  },
  {
    name: 'guard window: hours × 3,600,000 → × 60,000',
    file: 'shared/config/load-config.ts',
    search: 'return plan.guardWindowHours * 3_600_000;',
    replace: 'return plan.guardWindowHours * 60_000;',
    tests: ['test/shared/config/guard-window-ms.test.ts'],
  },
  {
    name: 'idle rule: freshness at the limit is stale (<= → <)',
    file: 'shared/idle-rule.ts',
    search: 'if (nowMs - endMs <= maxLagMs) return undefined;',
    replace: 'if (nowMs - endMs < maxLagMs) return undefined;',
    tests: IDLE_TESTS,
  },
  {
    name: 'idle rule: coalescing margin dropped',
    file: 'shared/idle-rule.ts',
    search: 'const lastMs = evidence(input.last?.at) + COALESCE_MS;',
    replace: 'const lastMs = evidence(input.last?.at);',
    tests: IDLE_TESTS,
  },
  {
    name: 'days: IDSYNC_INACTIVE_DAYS accepts 91',
    file: 'shared/config/variables.ts',
    search: 'whole(1, CLOUDTRAIL_HISTORY_DAYS),',
    replace: 'whole(1, CLOUDTRAIL_HISTORY_DAYS + 1),',
    tests: ['test/shared/cloudtrail-history.test.ts'],
  },
  {
    name: 'task conditions: a lease ending exactly now is claimable (< → <=)',
    file: 'shared/dynamo/task-conditions.ts',
    search: "'attribute_not_exists(leaseUntil) OR leaseUntil < :now'",
    replace: "'attribute_not_exists(leaseUntil) OR leaseUntil <= :now'",
    tests: TASK_CONDITION_TESTS,
  },
  {
    name: 'task conditions: an IN_PROGRESS task without a lease is not claimable',
    file: 'shared/dynamo/task-conditions.ts',
    search: "'attribute_not_exists(leaseUntil) OR leaseUntil < :now'",
    replace: "'leaseUntil < :now'",
    tests: TASK_CONDITION_TESTS,
  },
  {
    name: 'task conditions: a task DONE when the data starts is replaced (< → <=)',
    file: 'shared/dynamo/task-conditions.ts',
    search: "'updatedAt < :before'",
    replace: "'updatedAt <= :before'",
    tests: TASK_CONDITION_TESTS,
  },
  {
    name: 'deadline: exactly the margin left does not stop (<= → <)',
    file: 'shared/lambda/deadline-signal.ts',
    search: 'if (leftMs <= 0) {',
    replace: 'if (leftMs < 0) {',
    tests: ['test/shared/lambda/deadline-signal.test.ts'],
  },
  {
    name: 'managed: an empty prefix manages everyone',
    file: 'shared/quicksight-user-rules.ts',
    search: 'prefix !== undefined && prefix.length > 0 && userName.startsWith(prefix)',
    replace: 'prefix !== undefined && userName.startsWith(prefix)',
    tests: MANAGED_TESTS,
  },
  {
    name: 'managed: the ledger no longer makes a person managed',
    file: 'shared/quicksight-user-rules.ts',
    search: 'emailKeysOf(user).some((key) => rule.people.has(key))',
    replace: 'false',
    tests: MANAGED_TESTS,
  },
  {
    name: 'guard budget: exactly at the budget admits (< → <=)',
    file: 'shared/removal-rules.ts',
    search: 'if (used < budget.limit) return',
    replace: 'if (used <= budget.limit) return',
    tests: ['test/shared/removal-rules-guard-window-budget.test.ts'],
  },
  {
    name: 'guard budget: the override shrinks by what the window used past the budget',
    file: 'shared/removal-rules.ts',
    search: 'return Math.max(0, budget.limit - used) + Math.max(0, budget.override);',
    replace: 'return Math.max(0, budget.limit - used + budget.override);',
    tests: ['test/shared/removal-rules-guard-window-budget.test.ts'],
  },
  {
    name: 'config defaults: the table says 99 deletions (the value must follow)',
    file: 'shared/config/variables.ts',
    search: "'`100`',",
    replace: "'`99`',",
    tests: ['test/shared/config/load-config.test.ts'],
  },
  {
    name: 'config defaults: a default naming another variable is read as a value',
    file: 'shared/config/variables.ts',
    search:
      'if (literal === undefined || VARIABLES.some((v) => v.name === literal)) return undefined;',
    replace: 'if (literal === undefined) return undefined;',
    tests: ['test/shared/config/defaults.test.ts'],
  },
];

const root = resolve(import.meta.dirname, '..');
/** Files currently mutated: path → original text, restored by `restoreAll`. */
const mutated = new Map();
/** The running vitest, stopped with this script. */
let running;

function restoreAll() {
  for (const [path, text] of mutated) writeFileSync(path, text);
  mutated.clear();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    restoreAll();
    running?.kill('SIGTERM');
    process.stderr.write(`\n${signal}: mutated files restored\n`);
    process.exit(130);
  });
}
process.on('exit', restoreAll);

/** Runs vitest on `files`: its exit code and its summary line (`Tests  4 failed | 35 passed (39)`). */
function vitest(files) {
  return new Promise((done) => {
    const child = spawn('npx', ['vitest', 'run', ...files], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', (error) => done({ code: -1, tests: error.message }));
    child.on('exit', (code) => {
      const summary = /^\s*Tests\s+(.*)$/m.exec(out)?.[1]?.trim();
      const tests = summary?.replaceAll(' | ', ', ') ?? 'no test summary';
      done({ code: code ?? -1, tests });
    });
  });
}

async function runMutation(m) {
  const path = resolve(root, m.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(m.search).length - 1;
  if (count !== 1) return { result: `NOT APPLIED (search text found ${count} times)`, tests: '' };
  mutated.set(path, original);
  try {
    writeFileSync(
      path,
      original.replace(m.search, () => m.replace),
    );
    const run = await vitest(m.tests);
    return { result: run.code === 0 ? 'SURVIVED' : 'killed', tests: run.tests };
  } finally {
    writeFileSync(path, original);
    mutated.delete(path);
  }
}

const wanted = process.argv.slice(2);
const chosen = wanted.length
  ? MUTATIONS.filter((m) => wanted.some((w) => m.name.includes(w)))
  : MUTATIONS;
if (chosen.length === 0) {
  process.stderr.write(`no mutation matches ${wanted.join(', ')}\n`);
  process.exit(2);
}

// Unmutated, the tests must pass: otherwise a failure says nothing about a mutation.
const allTests = [...new Set(chosen.flatMap((m) => m.tests))];
const baseline = await vitest(allTests);
if (baseline.code !== 0) {
  process.stderr.write(
    `the tests fail without any mutation: npx vitest run ${allTests.join(' ')}\n`,
  );
  process.exit(2);
}

const rows = [];
for (const m of chosen) {
  const { result, tests } = await runMutation(m);
  rows.push([m.name, m.file, result, tests]);
  process.stderr.write(`${result.padEnd(9)} ${m.name}: ${tests}\n`);
}

const header = ['mutation', 'file', 'result', 'tests'];
const width = (i) => Math.max(header[i].length, ...rows.map((r) => r[i].length));
const line = (r) => `| ${r.map((cell, i) => cell.padEnd(width(i))).join(' | ')} |`;
console.log(`(unmutated: ${baseline.tests})`);
console.log(line(header));
console.log(`|${header.map((_, i) => '-'.repeat(width(i) + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
process.exit(rows.every((r) => r[2] === 'killed') ? 0 : 1);
