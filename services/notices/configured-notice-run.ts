import { createSesClient } from '../../shared/aws/clients.js';
import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import type { IdleSelection } from '../../shared/idle-selection.js';
import { noticeRows } from './notice-audit.js';
import {
  type NoticeRunDeps,
  type NoticeRunResult,
  protectedByPlan,
  runNoticeRule,
} from './notice-run.js';
import { NoticeStore } from './notice-store.js';
import type { NoticeTemplates } from './notice-template.js';
import { type NoticeMailer, SesMailer } from './ses-mailer.js';

/**
 * The notice rule on the configured stores and SES, for `idsync inactive`
 * (services/cli/notices-step.ts) and the monthly review (./rule-notices.ts) alike: the notices
 * table, the activity record, an SES v2 client built only when a notice is sent (and closed
 * after), the plan's protection, and with `apply` the run's audit rows.
 */

export interface ConfiguredNoticeRun {
  readonly runId: string;
  readonly apply: boolean;
  readonly now: Date;
  readonly templates: NoticeTemplates;
  /** The SES mailer; default SES v2 through @aws-sdk/client-sesv2. */
  readonly mailer?: () => NoticeMailer;
  /** Called after the before-record and before each SES call (fault tests kill here). */
  readonly beforeSend?: NoticeRunDeps['beforeSend'];
}

export async function runConfiguredNoticeRule(
  config: Pick<Config, 'aws' | 'quicksight' | 'notice' | 'plan'>,
  stores: Pick<Stores, 'doc' | 'names' | 'audit'>,
  selection: IdleSelection,
  run: ConfiguredNoticeRun,
): Promise<NoticeRunResult> {
  const from = config.notice.from ?? '';
  let client: { destroy(): void } | undefined;
  try {
    const result = await runNoticeRule(
      {
        store: new NoticeStore(stores.doc, stores.names.notices),
        activity: new DynamoActivityStore(stores.doc, stores.names.activity),
        mailer:
          run.mailer ??
          (() => {
            const ses = createSesClient(config.aws);
            client = ses;
            return new SesMailer(ses);
          }),
        ...(run.beforeSend ? { beforeSend: run.beforeSend } : {}),
      },
      selection,
      {
        isProtected: protectedByPlan(config.plan),
        namespace: config.quicksight.namespace,
        apply: run.apply,
        now: run.now,
        from,
        contact: config.notice.contact ?? from,
        days: config.notice.days,
        locale: config.notice.locale,
        templates: run.templates,
      },
    );
    if (run.apply)
      await stores.audit.append(noticeRows(run.runId, new Date().toISOString(), result));
    return result;
  } finally {
    client?.destroy();
  }
}
