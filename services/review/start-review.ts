import { NotFoundError, PartialSnapshotError, UsageError } from '../../shared/errors.js';
import { savingsByRole } from '../../shared/prices.js';
import {
  isReaderRole,
  type ReviewCounts,
  type ReviewRecord,
  reviewDeadline,
} from '../../shared/review.js';
import type { NewTask, Task } from '../../shared/task.js';
import { inLanes } from './in-lanes.js';
import type { ReviewConfig, ReviewDeps } from './review-deps.js';
import type { NoticedUser, ReviewRemovals } from './review-ports.js';
import { publishReviewReport } from './review-report.js';
import { noticedOf, recordNoticed, reviewSummary, stoppedSummary } from './review-summary.js';
import { reviewTask } from './review-task.js';

/**
 * The review's first steps: check the activity record covers the window, plan the idle rule (the
 * selection of `idsync inactive`) and take the leavers the guard window still holds, as tasks
 * AWAITING_APPROVAL of this review; then the review record, the report and the operators' notice.
 * A dry run (`apply: false`) plans the same and writes nothing.
 */

export type ReviewCheck =
  | {
      readonly ok: true;
      readonly selection: Awaited<ReturnType<ReviewRemovals['selectIdle']>>;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The activity record and the snapshot are good enough to judge idle users: the rule of
 * `idsync inactive` (services/removals/idle/run-inactive.ts: exit 2 and exit 3 there), read only.
 */
export async function checkReview(
  deps: Pick<ReviewDeps, 'removals'>,
  config: ReviewConfig,
  now: Date,
): Promise<ReviewCheck> {
  try {
    const selection = await deps.removals.selectIdle({
      days: config.inactive.days,
      roles: config.inactive.roles,
      ...(config.plan.managedUsernamePrefix
        ? { managedUsernamePrefix: config.plan.managedUsernamePrefix }
        : {}),
      keepGroups: config.inactive.keepGroups,
      now,
      maxLagMs: config.activity.maxLagMs,
    });
    return { ok: true, selection };
  } catch (error) {
    if (error instanceof UsageError || error instanceof PartialSnapshotError)
      return { ok: false, reason: error.message };
    throw error;
  }
}

export interface StartReviewOptions {
  readonly runId: string;
  /** Write the tasks, the record, the report and the notice; false: a dry run. */
  readonly apply: boolean;
}

export interface StartedReview {
  readonly review: ReviewRecord;
  /** The tasks put up for approval (a dry run: those it would put up). */
  readonly tasks: readonly Pick<
    Task,
    'taskId' | 'email' | 'userName' | 'role' | 'source' | 'reason'
  >[];
  /** Idle users the notice rule kept out of the review (noticed now or earlier, or needing attention). */
  readonly noticed?: readonly NoticedUser[];
}

export async function startReview(
  deps: ReviewDeps,
  config: ReviewConfig,
  options: StartReviewOptions,
): Promise<StartedReview> {
  const now = (deps.now ?? (() => new Date()))();
  const { runId } = options;
  const base: ReviewRecord = {
    runId,
    status: 'PLANNING',
    createdAt: now.toISOString(),
    deadline: reviewDeadline(now, config.inactive.approvalDays).toISOString(),
    days: config.inactive.days,
  };
  const existing = options.apply ? await deps.reviews.get(runId) : undefined;
  // A rerun (SIGKILL, a Lambda retry) of a review already planned goes on from its record.
  if (existing && existing.status !== 'PLANNING')
    return { review: existing, tasks: await awaitingOf(deps, runId) };
  const check = await checkReview(deps, config, now);
  if (!check.ok) {
    const stopped: ReviewRecord = {
      ...(existing ?? base),
      status: 'STOPPED',
      reason: check.reason,
    };
    if (options.apply) {
      if (!existing) await deps.reviews.create(stopped);
      else await deps.reviews.transition(runId, ['PLANNING'], 'STOPPED', { reason: check.reason });
      await audit(deps, runId, now, 'stopped', check.reason);
      await deps.operators.publish(stoppedSummary(runId, check.reason));
    }
    return { review: stopped, tasks: [] };
  }
  if (options.apply && !existing) await deps.reviews.create(base);
  const review = existing ?? base;
  // Notices on: only users noticed long enough ago (and idle since) go up for approval; the
  // others are sent their notice now (a dry run sends none) and listed, not deleted.
  const judged = deps.notices
    ? await deps.notices.judge(check.selection.selection, { runId, apply: options.apply, now })
    : { removals: check.selection.selection.removals, noticed: [] };
  const { removals, noticed } = judged;
  // A dry run writes nothing, not even its decisions. The approval is the operator's check of the
  // whole list: the per-run limits of the guard give way to it (the removals module's 'review'
  // plan; the guard window still counts every deletion the worker makes).
  const plan = await deps.removals.plan({
    kind: 'review',
    runId,
    removals,
    at: now,
    audit: options.apply,
    logger: deps.logger,
  });
  const planned = plan.plan.decisions
    .map((d) => reviewTask(d, config.quicksight.namespace, runId))
    .filter((t): t is NewTask => t !== undefined);
  const held: Task[] = [];
  for await (const page of deps.stores.tasks.byStatus('BLOCKED')) held.push(...page);
  if (!options.apply) {
    const tasks = [...planned, ...held];
    return {
      review: {
        ...review,
        status: 'AWAITING',
        counts: countsOf(planned, held, noticed),
        ...money(tasks, config),
      },
      tasks,
      noticed,
    };
  }
  await recordNoticed(deps, runId, now, noticed);
  await inLanes(planned, async (task) => {
    await deps.stores.tasks.enqueueForReview(task, runId, plan.snapshot.startedAt);
  });
  await inLanes(held, async (task) => {
    await deps.stores.tasks.holdForReview(task.taskId, runId);
  });
  const tasks = await awaitingOf(deps, runId);
  const counts: ReviewCounts = {
    idle: tasks.filter((t) => t.source === 'inactive').length,
    leavers: tasks.filter((t) => t.source !== 'inactive').length,
    readers: tasks.filter((t) => isReaderRole(t.role)).length,
    ...(deps.notices ? { noticed: noticed.length } : {}),
  };
  const savings = money(tasks, config);
  const status = tasks.length > 0 ? 'AWAITING' : 'DONE';
  await deps.reviews.transition(runId, ['PLANNING'], status, {
    counts,
    monthlySavings: savings.monthlySavings,
  });
  const record: ReviewRecord = { ...review, status, counts, ...savings };
  await audit(
    deps,
    runId,
    now,
    status === 'AWAITING' ? 'awaiting' : 'nothing to review',
    undefined,
    {
      ...counts,
      ...savings,
      deadline: record.deadline,
    },
  );
  return { review: record, tasks, noticed };
}

/**
 * The review's report (HTML + CSV) and the operators' notice: counts, money, the link, how to
 * approve. Run again (a retry), it writes the same report and sends the notice again.
 */
export async function announceReview(
  deps: ReviewDeps,
  config: ReviewConfig,
  runId: string,
): Promise<ReviewRecord> {
  const review = await deps.reviews.get(runId);
  if (!review) throw new NotFoundError(`no review ${runId}`);
  if (review.status === 'STOPPED') return review;
  const tasks = review.status === 'AWAITING' ? await awaitingOf(deps, runId) : [];
  const link = await publishReviewReport(deps, config, review, tasks, 'review');
  const announced = { ...review, report: link };
  await deps.operators.publish(reviewSummary(announced, await noticedOf(deps, runId)));
  return announced;
}

function money(tasks: readonly Pick<Task, 'role'>[], config: ReviewConfig) {
  return {
    monthlySavings: savingsByRole(
      config.report.prices,
      tasks.map((t) => t.role),
    ).monthly,
  };
}

function countsOf(
  planned: readonly NewTask[],
  held: readonly Task[],
  noticed: readonly NoticedUser[],
): ReviewCounts {
  return {
    idle: planned.length,
    leavers: held.length,
    readers: [...planned, ...held].filter((t) => isReaderRole(t.role)).length,
    ...(noticed.length > 0 ? { noticed: noticed.length } : {}),
  };
}

/** The tasks AWAITING_APPROVAL in review `runId`. */
export async function awaitingOf(deps: Pick<ReviewDeps, 'stores'>, runId: string): Promise<Task[]> {
  const out: Task[] = [];
  for await (const page of deps.stores.tasks.ofReview('AWAITING_APPROVAL', runId))
    out.push(...page);
  return out;
}

/** One audit row of a review step. */
export async function audit(
  deps: Pick<ReviewDeps, 'stores'>,
  runId: string,
  now: Date,
  decision: string,
  reason?: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  await deps.stores.audit.append([
    {
      runId,
      at: now.toISOString(),
      kind: 'review',
      source: 'review',
      decision,
      ...(reason ? { reason } : {}),
      ...(detail ? { detail } : {}),
    },
  ]);
}
