import type { Config } from '../../shared/config/index.js';
import { attentionLines, needsAttention } from '../../shared/needs-attention.js';
import { reportAccountsOf } from '../audit/report-accounts.js';
import { formatMoney } from '../audit/report-text.js';
import type { PlanRunResult, WorkerSummary } from '../removals/removals.js';
import { type CommandRun, ExitCode, printResult } from './command-context.js';
import { planGuardBlocked } from './format-plan.js';
import { reportOutcome, writeRunReport } from './write-run-report.js';

/**
 * How a deleting command ends, the same for every one of them (plan, reconcile, apply, remove,
 * inactive, handle-event): its exit code from what it planned and applied, and its closing output
 * with the HTML report of `--report FILE`.
 */

/** Tasks the run was asked to run that are not finished: still pending or leased. */
export function unfinishedCount(s: Pick<WorkerSummary, 'leftPending' | 'leftLeased'>): number {
  return s.leftPending + s.leftLeased;
}

/**
 * Exit code of the exit-code table (README): 3 when the guard window blocked tasks; 4 when some
 * tasks failed after their retries, were deferred, or are left pending or leased; 0 only when
 * every task the run was asked to run is done.
 */
export function exitCodeOf(
  summary: Pick<WorkerSummary, 'failed' | 'blocked' | 'leftPending' | 'leftLeased'> &
    Partial<Pick<WorkerSummary, 'deferred'>>,
): ExitCode {
  if (summary.blocked > 0) return ExitCode.GuardOrPartial;
  return summary.failed > 0 || (summary.deferred ?? 0) > 0 || unfinishedCount(summary) > 0
    ? ExitCode.ItemsFailed
    : ExitCode.Ok;
}

/** What a run did, for its exit code. */
export interface RunParts {
  readonly plan?: PlanRunResult;
  readonly applied?: Pick<WorkerSummary, 'failed' | 'blocked' | 'leftPending' | 'leftLeased'>;
  /** Some of the operator's input was unusable (bad CSV rows, `invalid` removals, bad events). */
  readonly inputFailed?: boolean;
}

/**
 * 3 when the guard tripped or blocked deletions (in the plan or the worker); 4 when a task failed
 * or was left unfinished, or some input was unusable; 0 otherwise.
 */
export function runExitCode(run: RunParts): ExitCode {
  if ((run.plan && planGuardBlocked(run.plan)) || (run.applied && run.applied.blocked > 0))
    return ExitCode.GuardOrPartial;
  if (run.applied && exitCodeOf(run.applied) !== ExitCode.Ok) return ExitCode.ItemsFailed;
  return run.inputFailed ? ExitCode.ItemsFailed : ExitCode.Ok;
}

/** Whether a plan holds `invalid` removals (values the plan refused). */
export function hasInvalid(plan: PlanRunResult | undefined): boolean {
  return (plan?.plan.counts.invalid ?? 0) > 0;
}

export interface RunEnd {
  /** `--report FILE`, when given. */
  readonly reportFile: string | undefined;
  /** The `--json` result (a report error is added to it). */
  readonly result: Record<string, unknown>;
  /** The human output (the report's path is added to it). */
  readonly lines: readonly string[];
  readonly exitCode: number;
  /** The run deleted nothing on purpose (no `--apply`): its report says it was a dry run. */
  readonly dryRun?: boolean;
}

/**
 * Writes the run's report when asked, prints the result and returns the exit code: the run's, or
 * 4 when the report could not be written (its error goes to stderr after the summary).
 */
export async function finishRun(
  run: CommandRun<Pick<Config, 'report'> & Partial<Pick<Config, 'quicksight'>>>,
  end: RunEnd,
): Promise<number> {
  const report = end.reportFile
    ? await writeRunReport(run.stores, run.runId, end.reportFile, run.config.report.prices, {
        dryRun: end.dryRun === true,
        // The home account named by its id, not "home account" (services/audit/report-accounts.ts).
        ...(run.config.quicksight ? { accounts: reportAccountsOf(run.config.quicksight) } : {}),
      })
    : undefined;
  // Every protected or deferred user of the plan, with what keeping the seat costs a month.
  const plan = (end.result.plan as PlanRunResult | undefined)?.plan;
  const attention =
    Array.isArray(plan?.decisions) && plan
      ? needsAttention(
          plan.decisions.map((d) => ({
            ...d,
            ...(d.quickSightUser
              ? { userName: d.quickSightUser.userName, role: d.quickSightUser.role }
              : {}),
          })),
          run.config.report.prices,
        )
      : undefined;
  printResult(
    run.io,
    run.globals,
    {
      ...end.result,
      ...(attention ? { needsAttention: attention } : {}),
      ...(report && !report.ok ? { reportError: report.error } : {}),
    },
    [
      ...end.lines,
      ...(attention && attention.items.length > 0
        ? ['', ...attentionLines(attention, formatMoney)]
        : []),
      ...(report?.ok ? [report.text] : []),
    ].join('\n'),
  );
  return reportOutcome(run.io, report, end.exitCode);
}
