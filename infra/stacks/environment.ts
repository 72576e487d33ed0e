import { Token } from 'aws-cdk-lib';
import { loadConfig } from '../../shared/config/index.js';
import { VARIABLES } from '../../shared/config/variables.js';
import { LAMBDA_ENV, LAMBDA_GOOGLE_KEY_PATH } from '../../shared/lambda/lambda-env.js';
import type { Job } from '../constructs/idsync-function.js';
import { identityCenterEnvironment } from './identity-center-layout.js';
import { quickSightEnvironment } from './quicksight-layout.js';
import { googleGroupWrites, type IdsyncSettings } from './settings.js';

/**
 * The environment of the functions. Every function gets the same configuration (so any job can
 * load any config section); only the snapshot gets the secret ARN (and the worker when group
 * writes are on), only the worker the apply
 * switch, only the producers the queue URL, only the plan and the review the operator topic, only
 * the review the reports bucket (with `OperatorChannel.reports.grantPut` / `grantRead`).
 */
export function commonEnvironment(settings: IdsyncSettings): Record<string, string> {
  return {
    IDSYNC_TABLE_PREFIX: settings.tablePrefix,
    IDSYNC_GOOGLE_GROUPS: settings.groups.join(','),
    IDSYNC_GOOGLE_SUBJECT: settings.googleSubject,
    IDSYNC_GOOGLE_CREDENTIALS: LAMBDA_GOOGLE_KEY_PATH,
    IDSYNC_IDENTITY_STORE_ID: settings.identityStoreId,
    // The IdC account and region (the stack's by default), and the reader role there when IdC
    // lives elsewhere (infra/stacks/identity-center-layout.ts).
    ...identityCenterEnvironment(settings),
    // QuickSight elsewhere: the QuickSight and CloudTrail clients assume the companion's operator
    // role (infra/stacks/quicksight-layout.ts), unless `environment` names other roles.
    ...quickSightEnvironment(settings),
    IDSYNC_QUICKSIGHT_ACCOUNT_ID: settings.quickSightAccountId,
    IDSYNC_QUICKSIGHT_NAMESPACE: settings.namespace,
    IDSYNC_QUICKSIGHT_REGION: settings.quickSightRegion,
    IDSYNC_REVIEW_APPROVAL_DAYS: String(settings.reviewApprovalDays),
    // Notices to users (context noticeFrom …): the review sends them, the worker's re-judge reads them.
    ...(settings.noticeFrom ? { IDSYNC_NOTICE_FROM: settings.noticeFrom } : {}),
    ...(settings.noticeDays !== undefined
      ? { IDSYNC_NOTICE_DAYS: String(settings.noticeDays) }
      : {}),
    ...(settings.noticeLocale ? { IDSYNC_NOTICE_LOCALE: settings.noticeLocale } : {}),
    ...settings.environment,
  };
}

export interface JobEnvironmentInputs {
  readonly settings: IdsyncSettings;
  readonly queueUrl: string;
  readonly secretArn: string;
  /** The operator topic's ARN (infra/constructs/operator-channel.ts). */
  readonly operatorTopicArn?: string;
  /** The reports bucket's name (infra/constructs/operator-channel.ts). */
  readonly reportsBucket?: string;
}

export function jobEnvironment(job: Job, inputs: JobEnvironmentInputs): Record<string, string> {
  const common = commonEnvironment(inputs.settings);
  switch (job) {
    case 'snapshot':
      return { ...common, [LAMBDA_ENV.googleKeySecret]: inputs.secretArn };
    case 'plan':
      // The plan publishes its run summaries (guard tripped, work held) to the operator topic.
      return {
        ...common,
        [LAMBDA_ENV.workerQueueUrl]: inputs.queueUrl,
        ...(inputs.operatorTopicArn
          ? { [LAMBDA_ENV.operatorTopicArn]: inputs.operatorTopicArn }
          : {}),
      };
    case 'events':
      return { ...common, [LAMBDA_ENV.workerQueueUrl]: inputs.queueUrl };
    case 'review':
      // The review writes its reports to the bucket and tells the operators on the topic.
      return {
        ...common,
        [LAMBDA_ENV.workerQueueUrl]: inputs.queueUrl,
        ...(inputs.operatorTopicArn
          ? { [LAMBDA_ENV.operatorTopicArn]: inputs.operatorTopicArn }
          : {}),
        ...(inputs.reportsBucket ? { [LAMBDA_ENV.reportsBucket]: inputs.reportsBucket } : {}),
      };
    case 'worker':
      // Group writes on: the worker reads the Google key too (services/worker/google-handler.ts).
      return {
        ...common,
        [LAMBDA_ENV.apply]: String(inputs.settings.apply),
        ...(googleGroupWrites(inputs.settings)
          ? { [LAMBDA_ENV.googleKeySecret]: inputs.secretArn }
          : {}),
      };
    case 'activity':
      return common;
  }
}

/**
 * Validates the configuration variables of an environment with the config module itself, so a
 * bad context value fails `cdk synth` with the same message the function would log (a
 * ConfigError naming the variable), not a crash loop after deployment. Tokens are skipped.
 */
export function validateEnvironment(env: Readonly<Record<string, string>>): void {
  const known = new Set(VARIABLES.map((v) => v.name));
  const concrete = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => known.has(k) && !Token.isUnresolved(v)),
  );
  loadConfig(
    [
      'google',
      'identityStore',
      'quicksight',
      'worker',
      'plan',
      'snapshot',
      'inactive',
      'activity',
      'notice',
    ],
    concrete,
  );
}
