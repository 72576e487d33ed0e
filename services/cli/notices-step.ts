import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import type { Removal } from '../../shared/domain.js';
import { ExitCode } from '../../shared/errors.js';
import { runConfiguredNoticeRule } from '../notices/configured-notice-run.js';
import { formatNotices, type NoticeSummary, summarizeNotices } from '../notices/format-notices.js';
import { loadTemplates, type NoticeTemplates } from '../notices/notice-template.js';
import type { InactiveSelection } from '../removals/removals.js';

/**
 * `idsync inactive` with IDSYNC_NOTICE_FROM set: the notice rule between the idle selection and
 * the plan (services/notices/notice-run.ts), with the CLI's stores and an SES v2 client built
 * only when a notice is sent. Exit 4 when a user needs attention (a notice SES refused, or one
 * that may not have been sent) or sending stopped early.
 */

export interface NoticeStepResult {
  readonly removals: Removal[];
  readonly summary: NoticeSummary;
  readonly text: string;
  readonly exitCode: number;
}

export type NoticeStep = (
  run: {
    readonly config: Pick<Config, 'aws' | 'quicksight' | 'notice' | 'plan'>;
    readonly stores: Pick<Stores, 'doc' | 'names' | 'audit'>;
    readonly runId: string;
  },
  selection: InactiveSelection,
  options: { readonly apply: boolean; readonly now: Date; readonly limit?: number },
) => Promise<NoticeStepResult>;

/**
 * Reads and checks the templates first (a bad template is exit 2 before anything is read or
 * judged), then returns the step.
 */
export async function prepareNoticeStep(
  notice: Pick<Config['notice'], 'locale' | 'templateDir'>,
): Promise<NoticeStep> {
  const templates = await loadTemplates(notice.locale, notice.templateDir);
  return (run, selection, options) => noticeStep(run, selection, options, templates);
}

async function noticeStep(
  ...[run, selection, options, templates]: [...Parameters<NoticeStep>, NoticeTemplates]
): Promise<NoticeStepResult> {
  const { config, stores } = run;
  const result = await runConfiguredNoticeRule(config, stores, selection, {
    runId: run.runId,
    apply: options.apply,
    now: options.now,
    templates,
  });
  const summary = summarizeNotices(result);
  return {
    removals: result.removals,
    summary,
    text: formatNotices(result, {
      apply: options.apply,
      days: config.notice.days,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    }),
    exitCode: summary.attention.length > 0 || summary.stopped ? ExitCode.ItemsFailed : ExitCode.Ok,
  };
}
