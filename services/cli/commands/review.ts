import type { Command } from 'commander';
import { newRunId } from '../../../shared/run-id.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

/**
 * `idsync review …`: the monthly idle review from the command line (services/review/). In AWS
 * the Step Functions state machine runs the same steps; `approve` / `reject` of a review its
 * state machine waits on go to the state machine (the review holds its task token).
 */

const SECTIONS = [
  'plan',
  'quicksight',
  'worker',
  'inactive',
  'activity',
  'report',
  'notice',
  'lambda',
] as const;

async function reviewContext(ctx: CliContext, reportsDir: string | undefined, json = false) {
  const config = loadConfig([...SECTIONS], ctx.io.env);
  const runtime = await import('../../../shared/clients-from-config.js');
  const { DynamoActivityStore } = await import('../../../shared/dynamo/activity-store.js');
  const { DynamoReviewStore } = await import('../../../shared/dynamo/review-store.js');
  const { directoryReports } = await import('../../review/review-ports.js');
  const { reviewPorts } = await import('../../review/review-wiring.js');
  const { ruleNotices } = await import('../../notices/rule-notices.js');
  const { cliRemovals } = await import('../cli-removals.js');
  const { auditPages } = await import('../../audit/audit-pages.js');
  const { reportAccountsOf } = await import('../../audit/report-accounts.js');
  const logger = runtime.buildLogger(config);
  const built = runtime.buildStores(config);
  // The same ports as the review Lambda (services/review/review-wiring.ts): the reports bucket,
  // the operator topic and the notices when configured; files and log lines otherwise.
  const ports = reviewPorts(config, logger, {
    localReports: directoryReports('idsync-reviews'),
    ...(reportsDir ? { chosenReports: directoryReports(reportsDir) } : {}),
    log: (s) => logger.info({ kind: s.kind, runId: s.runId }, 'operator summary'),
    ...(config.notice.from ? { notices: ruleNotices(config, built) } : {}),
  });
  const stores = {
    ...built,
    close: () => {
      ports.close();
      built.close();
    },
  };
  // The review plans for approval and never queues; `approve` applies what was approved.
  const removals = await cliRemovals(config, { stores, logger }, ctx.io, { dryRun: false, json });
  const deps = {
    stores,
    reviews: new DynamoReviewStore(stores.doc, stores.names.reviews),
    activity: new DynamoActivityStore(stores.doc, stores.names.activity),
    removals,
    logger,
    reports: ports.reports,
    auditPages: auditPages(stores, reportAccountsOf(config.quicksight)),
    operators: ports.operators,
    ...(ports.notices ? { notices: ports.notices } : {}),
  };
  return { config, stores, logger, deps };
}

export function registerReview(program: Command, ctx: CliContext): void {
  const review = program
    .command('review')
    .description(
      'the monthly idle review: put idle users (and held leavers) up for approval, then approve or reject',
    );

  review
    .command('start')
    .description('plan a review (dry run without --apply: shows what it would put up for approval)')
    .option('--apply', 'write the review: its tasks await approval, its report, the notice')
    .option(
      '--reports <dir>',
      'write the review reports to this folder (default: the reports bucket when IDSYNC_REPORTS_BUCKET is set, else ./idsync-reviews)',
    )
    .action(
      action(ctx, async (flags: { apply?: boolean; reports?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { config, stores, deps } = await reviewContext(ctx, flags.reports);
        const { startReview, announceReview } = await import('../../review/start-review.js');
        const { reviewNotice } = await import('../../review/review-summary.js');
        try {
          const started = await startReview(deps, config, {
            runId: newRunId(),
            apply: flags.apply === true,
          });
          const r =
            flags.apply && started.review.status !== 'STOPPED'
              ? await announceReview(deps, config, started.review.runId)
              : started.review;
          const lines =
            r.status === 'STOPPED'
              ? [`review stopped: ${r.reason}`]
              : flags.apply
                ? [reviewNotice(r, started.noticed)]
                : [
                    `Dry run: the review would put ${started.tasks.length} QuickSight users up for approval (${r.counts?.idle ?? 0} idle for ${r.days} days, ${r.counts?.leavers ?? 0} held leavers), about $${r.monthlySavings ?? 0} a month.`,
                    ...started.tasks.map(
                      (t) => `  ${t.userName} (${t.role}, ${t.source}): ${t.reason}`,
                    ),
                    ...(started.noticed && started.noticed.length > 0
                      ? [
                          `Notices to users: ${started.noticed.length} idle users are not put up yet (a dry run sends no notice):`,
                          ...started.noticed.map((u) => `  ${u.userName}: ${u.reason}`),
                        ]
                      : []),
                    'Nothing written. Run idsync review start --apply to put them up for approval (and send the notices).',
                  ];
          printResult(
            ctx.io,
            globals,
            { review: r, tasks: started.tasks, noticed: started.noticed ?? [] },
            lines.join('\n'),
          );
          return r.status === 'STOPPED' ? ExitCode.GuardOrPartial : ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );

  for (const decision of ['approve', 'reject'] as const) {
    review
      .command(`${decision} <run>`)
      .description(
        decision === 'approve'
          ? 'approve a review: its tasks are deleted by the worker (here and now on the sandbox)'
          : 'reject a review: its tasks are cancelled, nobody is deleted',
      )
      .option(
        '--reports <dir>',
        'write the final report to this folder (default: the reports bucket when set, else ./idsync-reviews)',
      )
      .action(
        action(ctx, async (runId: string, flags: { reports?: string }, command: Command) => {
          const globals = command.optsWithGlobals<GlobalOptions>();
          const { config, stores, logger, deps } = await reviewContext(
            ctx,
            flags.reports,
            globals.json === true,
          );
          const { sendDecision } = await import('../../review/send-decision.js');
          const { decideReview } = await import('../../review/decide-review.js');
          const { createSfnClient } = await import('../../../shared/aws/clients.js');
          const { sfnTaskToken } = await import('../../../shared/aws/sfn-task-token.js');
          const sfn = createSfnClient(config.aws);
          try {
            const by = `idsync review ${decision} (${ctx.io.env.USER ?? 'cli'})`;
            const sent = await sendDecision(
              {
                get: (id) => deps.reviews.get(id),
                token: sfnTaskToken(sfn),
                direct: (d) => decideReview(deps, runId, d, by),
              },
              runId,
              decision,
              by,
            );
            if (sent.via === 'state machine') {
              printResult(
                ctx.io,
                globals,
                { runId, decision, via: sent.via },
                `review ${runId}: ${decision} sent to its state machine, which now ${decision === 'approve' ? 'releases the tasks to the worker' : 'cancels the tasks'}.`,
              );
              return ExitCode.Ok;
            }
            if (decision === 'reject') {
              printResult(
                ctx.io,
                globals,
                { runId, decision, via: sent.via, cancelled: sent.decided.taskIds.length },
                `review ${runId} rejected: ${sent.decided.taskIds.length} removals cancelled, nobody deleted.`,
              );
              return ExitCode.Ok;
            }
            return await applyApproved(ctx, globals, { config, stores, logger, deps }, runId);
          } finally {
            sfn.destroy();
            deps.removals.close();
            stores.close();
          }
        }),
      );
  }

  review
    .command('expire <run>')
    .description('expire a review past its deadline: its tasks are cancelled, nobody is deleted')
    .action(
      action(ctx, async (runId: string, _flags: object, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { stores, deps } = await reviewContext(ctx, undefined);
        const { decideReview } = await import('../../review/decide-review.js');
        try {
          const d = await decideReview(deps, runId, 'expire', 'idsync review expire');
          printResult(
            ctx.io,
            globals,
            { runId, cancelled: d.taskIds.length },
            `review ${runId} expired: ${d.taskIds.length} removals cancelled, nobody deleted.`,
          );
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );

  review
    .command('list')
    .description('the reviews, newest first')
    .action(
      action(ctx, async (_flags: object, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { stores, deps } = await reviewContext(ctx, undefined);
        try {
          const all = await deps.reviews.all();
          const lines = all.map(
            (r) =>
              `${r.runId}  ${r.status.padEnd(8)}  ${(r.counts?.idle ?? 0) + (r.counts?.leavers ?? 0)} removals  $${r.monthlySavings ?? 0}/month  deadline ${r.deadline}`,
          );
          printResult(ctx.io, globals, all, lines.length > 0 ? lines.join('\n') : 'no reviews yet');
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );

  review
    .command('show <run>')
    .description('one review: its status, counts, money, deadline, report and tasks')
    .action(
      action(ctx, async (runId: string, _flags: object, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { stores, deps } = await reviewContext(ctx, undefined);
        const { UsageError } = await import('../../../shared/errors.js');
        const { reviewProgress, describeOutcome } = await import('../../review/finish-review.js');
        const { awaitingOf } = await import('../../review/start-review.js');
        try {
          const { reviewRunIdProblem } = await import('../../../shared/review.js');
          const problem = reviewRunIdProblem(runId);
          if (problem) throw new UsageError(problem);
          const r = await deps.reviews.get(runId);
          if (!r) throw new UsageError(`no review ${runId} (idsync review list shows them)`);
          const progress = await reviewProgress(deps, runId);
          const awaiting = await awaitingOf(deps, runId);
          const { taskToken, ...shown } = r;
          const lines = [
            `review ${r.runId}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`,
            `  created ${r.createdAt}, deadline ${r.deadline}, idle rule ${r.days} days`,
            `  ${r.counts?.idle ?? 0} idle, ${r.counts?.leavers ?? 0} held leavers, ${r.counts?.readers ?? 0} Readers: about $${r.monthlySavings ?? 0} a month`,
            ...(r.decidedBy ? [`  decided ${r.decidedAt} by ${r.decidedBy}`] : []),
            `  awaiting approval: ${awaiting.length}; released: ${describeOutcome(progress)}`,
            ...(r.report ? [`  report: ${r.report}`] : []),
            ...(r.finalReport ? [`  final report: ${r.finalReport}`] : []),
            ...(taskToken ? ['  its state machine waits for the decision'] : []),
          ];
          printResult(
            ctx.io,
            globals,
            {
              review: { ...shown, waiting: taskToken !== undefined },
              awaiting,
              progress: { ...progress, tasks: undefined },
            },
            lines.join('\n'),
          );
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}

/** Approved without a state machine: the worker in-process (as `idsync apply`), then the end. */
async function applyApproved(
  ctx: CliContext,
  globals: GlobalOptions,
  run: Awaited<ReturnType<typeof reviewContext>>,
  runId: string,
): Promise<number> {
  const { formatSummary } = await import('../format-applied.js');
  const { reviewProgress, finishReview, describeOutcome } = await import(
    '../../review/finish-review.js'
  );
  const { runExitCode } = await import('../run-exit.js');
  const released = (await reviewProgress(run.deps, runId)).tasks
    .filter((t) => t.status === 'PENDING' || t.status === 'FAILED' || t.status === 'IN_PROGRESS')
    .map((t) => t.taskId);
  const applied = await run.deps.removals.apply({
    kind: 'run',
    runId: newRunId(),
    of: runId,
    alsoTaskIds: released,
  });
  if (applied.dryRun) throw new Error('the review applies with a composition that deletes');
  const finished = await finishReview(run.deps, run.config, runId);
  const progress = finished?.progress ?? (await reviewProgress(run.deps, runId));
  printResult(
    ctx.io,
    globals,
    { runId, released: released.length, applied: applied.summary, review: finished?.review },
    [
      `review ${runId} approved: ${released.length} removals released to the worker.`,
      formatSummary(applied.summary),
      finished
        ? `review ${runId} done: ${describeOutcome(progress)}. Final report: ${finished.review.finalReport ?? '-'}`
        : `review ${runId} not finished: ${describeOutcome(progress)}. Run idsync review approve ${runId} again to go on.`,
    ].join('\n'),
  );
  return runExitCode({ applied: applied.summary, inputFailed: false });
}
