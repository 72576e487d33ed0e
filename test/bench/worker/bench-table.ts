import type { WorkerSummary } from '../../../services/removals/worker/progress.js';

/** Rows of the worker benchmark and their rendering (console table, Markdown for BENCHMARKS.md). */

export type PolicyName = 'idsync' | 'idsync-pause' | 'seed' | 'sdk-standard' | 'sdk-adaptive';
export type ScenarioName = 'steady' | 'drop';

export interface BenchRow {
  readonly scenario: ScenarioName;
  readonly n: number;
  readonly policy: PolicyName;
  readonly idealMs: number;
  readonly makespanMs: number;
  readonly calls: number;
  readonly throttled: number;
  /** Users the stand-in deleted (its counters). */
  readonly deleted: number;
  readonly failed: number;
  /** Neither deleted nor reported failed or unfinished. */
  readonly lost: number;
  readonly unfinished: number;
  /** Unfinished seed runs: the latest retry already scheduled at the cut-off (a lower bound). */
  readonly projectedEndMs?: number;
  /** idsync: the pacer's last estimate of R. */
  readonly estimate?: number;
  /** idsync: the worker's own summary (already gone, skipped, …). */
  readonly worker?: WorkerSummary;
  readonly load: string;
}

export const POLICY_LABEL: Record<PolicyName, string> = {
  idsync: '(a) idsync worker',
  'idsync-pause': "(a') idsync, Retry-After pauses all",
  seed: '(b) seed-like 1s×2^n',
  'sdk-standard': '(c) SDK standard+requeue',
  'sdk-adaptive': '(d) SDK adaptive+requeue',
};

const SCENARIO_LABEL: Record<ScenarioName, string> = {
  steady: 'R=50',
  drop: 'R=50→25',
};

export function derived(r: BenchRow) {
  const ratio = r.makespanMs / r.idealMs;
  return {
    ratio,
    callsPerUser: r.calls / Math.max(1, r.deleted),
    throttledShare: r.calls > 0 ? r.throttled / r.calls : 0,
  };
}

/** Targets for the idsync worker (BENCHMARKS.md); undefined for the other policies. */
export function targetsMet(r: BenchRow): string | undefined {
  if (r.policy !== 'idsync') return undefined;
  const d = derived(r);
  const misses = [
    d.ratio > (r.scenario === 'drop' ? 1.15 : 1.1) ? 'makespan' : '',
    d.throttledShare > 0.03 ? 'throttled' : '',
    d.callsPerUser > 1.05 ? 'calls/user' : '',
    r.lost > 0 ? 'lost' : '',
  ].filter(Boolean);
  return misses.length === 0 ? 'all met' : `missed: ${misses.join(', ')}`;
}

const HEADER = [
  'policy',
  'API',
  'N',
  'makespan',
  '× ideal',
  'calls/user',
  'throttled',
  'failed',
  'lost',
  'unfinished',
  'targets',
  'load avg',
];

function cells(r: BenchRow): string[] {
  const d = derived(r);
  const unfinished =
    r.unfinished === 0
      ? '0'
      : `${r.unfinished}${r.projectedEndMs ? ` (end ≥ ${(r.projectedEndMs / 1000).toFixed(0)} s)` : ''}`;
  return [
    POLICY_LABEL[r.policy],
    SCENARIO_LABEL[r.scenario],
    String(r.n),
    `${(r.makespanMs / 1000).toFixed(1)} s`,
    `${d.ratio.toFixed(2)}${r.unfinished > 0 ? '+' : ''}`,
    d.callsPerUser.toFixed(2),
    `${(100 * d.throttledShare).toFixed(1)} %`,
    String(r.failed),
    String(r.lost),
    unfinished,
    targetsMet(r) ?? '',
    r.load,
  ];
}

export function consoleTable(rows: readonly BenchRow[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const line = (cs: readonly string[]) => `| ${cs.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map((r) => line(cells(r)))].join(
    '\n',
  );
}
