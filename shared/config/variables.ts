import * as z from 'zod';
import { CLOUDTRAIL_HISTORY_DAYS } from '../cloudtrail-history.js';
import { DEFAULT_MAX_LAG_HOURS } from '../idle-rule.js';
import { PLAIN_DECIMAL, PLAIN_INTEGER } from './plain-numbers.js';
import {
  accountId,
  assetSuccessor,
  awsRegion,
  awsRegionList,
  bool,
  csvList,
  decimal,
  email,
  emailList,
  externalId,
  groupRoles,
  nonEmpty,
  optionalEmailList,
  priceTable,
  protectedRoles,
  protectedUsers,
  QUICKSIGHT_ROLES,
  quickSightAccounts,
  roleArn,
  roleList,
  trimmed,
  url,
  whole,
} from './value-schemas.js';

export { PLAIN_DECIMAL, PLAIN_INTEGER };

/**
 * Every environment variable idsync reads, in one list. The config loader parses them, the README's
 * configuration table is rendered from them (a test keeps the two equal), and each command asks
 * only for the sections it needs.
 */

/** Variables whose values are never shown, in an error or anywhere else. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'IDSYNC_GOOGLE_CREDENTIALS',
  'IDSYNC_ROLE_EXTERNAL_ID',
]);

export type Section =
  | 'core'
  | 'aws'
  | 'google'
  | 'identityStore'
  | 'quicksight'
  | 'worker'
  | 'plan'
  | 'snapshot'
  | 'report'
  | 'inactive'
  | 'activity'
  | 'lambda'
  | 'notice';

export interface VariableSpec {
  readonly name: string;
  readonly section: Section;
  readonly meaning: string;
  /** Shown in the README; `undefined` means required when its section is asked for. */
  readonly defaultText?: string;
  readonly required: boolean;
  readonly schema: z.ZodType;
}

function spec(
  name: string,
  section: Section,
  meaning: string,
  schema: z.ZodType,
  defaultText?: string,
  required = defaultText === undefined,
): VariableSpec {
  return { name, section, meaning, schema, defaultText, required };
}

/**
 * The value of a variable left unset, when its README default is one literal (`\`100\``): the
 * default is written once, here, as the README shows it, and shared/config/load-config.ts parses
 * it with the variable's own schema. A default that names another variable
 * (`\`IDSYNC_QUICKSIGHT_ACCOUNT_ID\``) or says more (`\`warn\` on a terminal, else \`info\``) is
 * a fallback load-config.ts reads itself; `—` is none.
 */
export function defaultValueText(spec: VariableSpec): string | undefined {
  const literal = /^`([^`]+)`$/.exec(spec.defaultText ?? '')?.[1];
  if (literal === undefined || VARIABLES.some((v) => v.name === literal)) return undefined;
  return literal;
}

export const DEFAULT_RATE = 50;
export const DEFAULT_CONCURRENCY = 16;
/** A task's lease: short, renewed by the worker's heartbeat (a quarter of it). */
export const DEFAULT_LEASE_SECONDS = 20;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
/**
 * How far the activity record's CloudTrail coverage may end behind now and still be used to call
 * a user idle, at planning and again just before the deletion: the idle rule's own default
 * (shared/idle-rule.ts, which the CLI's start-up loads without this module's zod).
 */
export const DEFAULT_ACTIVITY_MAX_LAG_HOURS = DEFAULT_MAX_LAG_HOURS;
/**
 * The log level when IDSYNC_LOG_LEVEL is unset: `info` for JSON logs (Lambda, pipes, CI), `warn`
 * when the CLI's stderr is a terminal, where a person reads the result on stdout and wants only
 * what went wrong beside it.
 */
export const DEFAULT_LOG_LEVEL = 'info';
/** Days between a user's notice and the earliest deletion (IDSYNC_NOTICE_DAYS). */
export const DEFAULT_NOTICE_DAYS = 14;
export const DEFAULT_TERMINAL_LOG_LEVEL = 'warn';

export const VARIABLES: readonly VariableSpec[] = [
  spec(
    'IDSYNC_GOOGLE_GROUPS',
    'google',
    'comma-separated group emails whose members are entitled to QuickSight',
    emailList,
  ),
  spec(
    'IDSYNC_GOOGLE_CREDENTIALS',
    'google',
    'path to a Google service-account JSON key (its `token_uri` is honoured)',
    nonEmpty,
  ),
  spec(
    'IDSYNC_GOOGLE_SUBJECT',
    'google',
    'Workspace admin the service account impersonates',
    email,
  ),
  spec(
    'IDSYNC_GOOGLE_ROOT_URL',
    'google',
    'Admin SDK root URL',
    url,
    '`https://admin.googleapis.com/`',
    false,
  ),
  spec(
    'IDSYNC_IDENTITY_STORE_ID',
    'identityStore',
    'IdC identity store id (`d-…`)',
    nonEmpty.regex(/^d-[0-9a-z]{10}$|^[0-9a-f-]{36}$/, 'must look like d-1234567890'),
  ),
  spec(
    'IDSYNC_IDC_ACCOUNT_ID',
    'identityStore',
    'AWS account id of IAM Identity Center: only CloudTrail events of this account are acted on',
    accountId,
    '`IDSYNC_QUICKSIGHT_ACCOUNT_ID`',
    false,
  ),
  spec(
    'IDSYNC_IDC_REGION',
    'identityStore',
    'Region of IAM Identity Center: the IdentityStore client calls it there',
    awsRegion,
    '`AWS_REGION`',
    false,
  ),
  spec('IDSYNC_QUICKSIGHT_ACCOUNT_ID', 'quicksight', 'AWS account id of QuickSight', accountId),
  spec(
    'IDSYNC_QUICKSIGHT_NAMESPACE',
    'quicksight',
    'QuickSight namespace',
    nonEmpty.regex(/^[a-zA-Z0-9._-]{1,64}$/, 'must be a QuickSight namespace name'),
    '`default`',
    false,
  ),
  spec(
    'IDSYNC_QUICKSIGHT_ACCOUNTS',
    'quicksight',
    'every QuickSight account and namespace idsync manages, comma-separated `account[:namespace…][@role-arn]` (e.g. `111111111111:default:sales,222222222222@arn:aws:iam::222222222222:role/idsync`); an entry without namespaces has `IDSYNC_QUICKSIGHT_NAMESPACE`; an account other than `IDSYNC_QUICKSIGHT_ACCOUNT_ID` needs a role in it (or `IDSYNC_QUICKSIGHT_ROLE_ARN` there)',
    quickSightAccounts,
    '`IDSYNC_QUICKSIGHT_ACCOUNT_ID`:`IDSYNC_QUICKSIGHT_NAMESPACE`',
    false,
  ),
  spec(
    'IDSYNC_QUICKSIGHT_REGION',
    'quicksight',
    'QuickSight identity region',
    awsRegion,
    '`AWS_REGION`',
    false,
  ),
  spec(
    'IDSYNC_TABLE_PREFIX',
    'core',
    'prefix of the DynamoDB table names',
    nonEmpty.regex(/^[a-zA-Z0-9_.-]{1,200}$/, 'may hold only letters, digits, _ . -'),
    '`idsync`',
    false,
  ),
  spec(
    'IDSYNC_LOG_LEVEL',
    'core',
    'log level (`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`)',
    trimmed
      .toLowerCase()
      .pipe(
        z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'unknown level'),
      ),
    `\`${DEFAULT_TERMINAL_LOG_LEVEL}\` on a terminal, else \`${DEFAULT_LOG_LEVEL}\``,
    false,
  ),
  spec(
    'NO_COLOR',
    'core',
    'any non-empty value turns off colour in terminal output (no-color.org)',
    trimmed,
    'colour on a terminal',
    false,
  ),
  spec(
    'IDSYNC_RATE',
    'worker',
    'ceiling on QuickSight calls per second (0.1 to 1000)',
    decimal(0.1, 1000),
    `\`${DEFAULT_RATE}\``,
    false,
  ),
  spec(
    'IDSYNC_CONCURRENCY',
    'worker',
    'ceiling on in-flight QuickSight calls (1 to 256)',
    whole(1, 256),
    `\`${DEFAULT_CONCURRENCY}\``,
    false,
  ),
  spec(
    'IDSYNC_LEASE_SECONDS',
    'worker',
    "lease of a task at work, renewed by the worker's heartbeat: a stopped worker's tasks come free after it (at most the worker Lambda's timeout)",
    whole(2, 300),
    `\`${DEFAULT_LEASE_SECONDS}\``,
    false,
  ),
  spec(
    'IDSYNC_MAX_DELETIONS',
    'plan',
    'guard: most deletions one run may make (0 to 1000000)',
    whole(0, 1_000_000),
    '`100`',
    false,
  ),
  spec(
    'IDSYNC_MAX_DELETION_PERCENT',
    'plan',
    'guard: most deletions one run may make, as a percentage of QuickSight users (above 0, at most 100)',
    decimal(0, 100, { exclusiveMin: true }),
    '`10`',
    false,
  ),
  spec(
    'IDSYNC_PROTECTED_ROLES',
    'plan',
    `roles never deleted: comma-separated, any case, from ${QUICKSIGHT_ROLES.join(', ')}; \`none\` protects no role`,
    protectedRoles,
    '`ADMIN,ADMIN_PRO`',
    false,
  ),
  spec(
    'IDSYNC_GROUP_ROLES',
    'plan',
    'role follows group: comma-separated `GROUP=ROLE` (e.g. `authors@example.com=AUTHOR,readers@example.com=READER`; roles READER, READER_PRO, AUTHOR, AUTHOR_PRO, ADMIN, ADMIN_PRO); an IAM or QUICKSIGHT user of a person in mapped groups gets the broadest of their roles (`upgrade` / `downgrade`, guarded like deletions); unset: roles are left alone',
    groupRoles,
    '—',
    false,
  ),
  spec(
    'IDSYNC_PROTECTED_USERS',
    'plan',
    'emails or QuickSight user names never deleted (comma-separated)',
    protectedUsers,
    '—',
    false,
  ),
  spec(
    'IDSYNC_ASSET_SUCCESSOR',
    'plan',
    "who receives the assets (dashboards, analyses, datasets, data sources, folders, themes, templates, topics) a departing Author or Admin owns alone, before the deletion or downgrade: a QuickSight user name, or `manager:<fallback user name>` for the person's manager from the Google Directory when that manager has a QuickSight user that can own, else the fallback. Unset: a user who owns something alone is deferred, never deleted",
    assetSuccessor,
    '—',
    false,
  ),
  spec(
    'IDSYNC_GUARD_WINDOW_HOURS',
    'plan',
    'guard: rolling window in which all runs together may delete at most `IDSYNC_MAX_DELETIONS` users (above 0, at most 2160)',
    decimal(0, 24 * 90, { exclusiveMin: true }),
    '`24`',
    false,
  ),
  spec(
    'IDSYNC_MANAGED_USERNAME_PREFIX',
    'plan',
    'QuickSight usernames with this prefix are managed even if idsync never saw the person as a member',
    nonEmpty,
    '—',
    false,
  ),
  spec(
    'IDSYNC_INACTIVE_DAYS',
    'inactive',
    `\`idsync inactive\`: a user with no activity in this many days is idle (at most the ${CLOUDTRAIL_HISTORY_DAYS} days CloudTrail keeps)`,
    whole(1, CLOUDTRAIL_HISTORY_DAYS),
    '`60`',
    false,
  ),
  spec(
    'IDSYNC_INACTIVE_ROLES',
    'inactive',
    '`idsync inactive`: QuickSight roles whose idle users are deleted (protected roles still win)',
    roleList,
    '`READER,READER_PRO`',
    false,
  ),
  spec(
    'IDSYNC_INACTIVE_KEEP_GROUPS',
    'inactive',
    '`idsync inactive`: comma-separated Google group emails whose members are never pruned as idle (e.g. Readers who only receive emailed reports, which leave no CloudTrail trace); the snapshot lists their members without making them managed',
    optionalEmailList,
    '—',
    false,
  ),
  spec(
    'IDSYNC_ACTIVITY_IGNORED_PRINCIPALS',
    'activity',
    "`idsync activity`: comma-separated IAM role names or ARNs whose own QuickSight calls are not anyone's activity (idsync's own roles, automation); users they register or embed dashboards for still count",
    csvList,
    '—',
    false,
  ),
  spec(
    'IDSYNC_ACTIVITY_MAX_LAG_HOURS',
    'activity',
    'idle users: the activity record must reach this close to now (hours, 0.25 to 24) to call anyone idle, when planning and again just before each deletion; `idsync apply` first catches the record up once when it lags',
    decimal(0.25, 24),
    `\`${DEFAULT_ACTIVITY_MAX_LAG_HOURS}\``,
    false,
  ),
  spec(
    'IDSYNC_ACTIVITY_REGIONS',
    'activity',
    '`idsync activity sync`: comma-separated AWS regions whose CloudTrail it reads (each at 2 LookupEvents calls a second, each with its own cursor); the account is covered only where every one is',
    awsRegionList,
    '`IDSYNC_QUICKSIGHT_REGION` and `AWS_REGION`',
    false,
  ),
  spec(
    'IDSYNC_SNAPSHOT_RETENTION_DAYS',
    'snapshot',
    'days a snapshot is kept before its TTL expires it (the newest two COMPLETE ones are kept; 1 to 3650)',
    whole(1, 3650),
    '`30`',
    false,
  ),
  spec(
    'IDSYNC_PRICES',
    'report',
    'monthly seat prices in USD by role for every saving shown, `ROLE=PRICE` comma-separated on top of the defaults (roles READER, READER_PRO, AUTHOR, AUTHOR_PRO, ADMIN, ADMIN_PRO; 0 to 1000; ADMIN follows AUTHOR and ADMIN_PRO follows AUTHOR_PRO unless set)',
    priceTable,
    '`READER=3,READER_PRO=20,AUTHOR=24,AUTHOR_PRO=40,ADMIN=24,ADMIN_PRO=40`',
    false,
  ),
  spec(
    'IDSYNC_APPLY',
    'lambda',
    'Lambda only: the worker deletes when `true`; otherwise it runs dry (the CLI uses `--apply`)',
    bool,
    '`false`',
    false,
  ),
  spec(
    'IDSYNC_WORKER_QUEUE_URL',
    'lambda',
    "Lambda only: URL of the worker's SQS queue (plan and event functions)",
    url,
    '—',
    false,
  ),
  spec(
    'IDSYNC_GOOGLE_CREDENTIALS_SECRET',
    'lambda',
    'Lambda only: ARN of the Secrets Manager secret holding the Google key (snapshot function)',
    nonEmpty,
    '—',
    false,
  ),
  spec(
    'AWS_REGION',
    'aws',
    'AWS region of the DynamoDB tables and IdC (standard SDK variable)',
    awsRegion,
    "`AWS_DEFAULT_REGION`, else the profile's region",
    false,
  ),
  spec(
    'AWS_DEFAULT_REGION',
    'aws',
    'AWS region when `AWS_REGION` is unset (standard AWS CLI variable)',
    awsRegion,
    '—',
    false,
  ),
  spec(
    'AWS_ACCESS_KEY_ID',
    'aws',
    'static AWS credentials (standard SDK variable; otherwise the SDK provider chain: profile, role)',
    nonEmpty,
    '—',
    false,
  ),
  spec('AWS_SECRET_ACCESS_KEY', 'aws', 'secret of `AWS_ACCESS_KEY_ID`', nonEmpty, '—', false),
  spec('AWS_SESSION_TOKEN', 'aws', 'session token of temporary credentials', nonEmpty, '—', false),
  spec(
    'AWS_ENDPOINT_URL',
    'aws',
    'endpoint override for every AWS service (standard SDK variable)',
    url,
    '—',
    false,
  ),
  spec('AWS_ENDPOINT_URL_DYNAMODB', 'aws', 'endpoint override for DynamoDB', url, '—', false),
  spec(
    'AWS_ENDPOINT_URL_IDENTITYSTORE',
    'aws',
    'endpoint override for IdentityStore',
    url,
    '—',
    false,
  ),
  spec('AWS_ENDPOINT_URL_QUICKSIGHT', 'aws', 'endpoint override for QuickSight', url, '—', false),
  spec(
    'IDSYNC_SANDBOX_CONTROL',
    'core',
    'control URL printed by `idsync sandbox`, for `idsync sandbox fault` / `dynamodb` / `leave` / `join` / `move` / `sync` / `activity` / `new-user` / `roles` in another shell',
    url,
    '—',
    false,
  ),
  spec(
    'IDSYNC_CONNECT_TIMEOUT_SECONDS',
    'aws',
    'seconds a connection to any service (AWS, Google) may take to open (0.1 to 120)',
    decimal(0.1, 120),
    `\`${DEFAULT_CONNECT_TIMEOUT_SECONDS}\``,
    false,
  ),
  spec(
    'IDSYNC_REQUEST_TIMEOUT_SECONDS',
    'aws',
    'seconds one call to any service (AWS, Google) may take, answer included, before it fails as retryable (0.1 to 900)',
    decimal(0.1, 900),
    `\`${DEFAULT_REQUEST_TIMEOUT_SECONDS}\``,
    false,
  ),
  spec('AWS_ENDPOINT_URL_SQS', 'aws', 'endpoint override for SQS', url, '—', false),
  spec('AWS_ENDPOINT_URL_CLOUDTRAIL', 'aws', 'endpoint override for CloudTrail', url, '—', false),
  spec('AWS_ENDPOINT_URL_STS', 'aws', 'endpoint override for STS (AssumeRole)', url, '—', false),
  spec(
    'IDSYNC_QUICKSIGHT_ROLE_ARN',
    'aws',
    "IAM role the QuickSight client assumes (QuickSight in another account); unset: the process's own credentials",
    roleArn,
    '—',
    false,
  ),
  spec(
    'IDSYNC_IDENTITYSTORE_ROLE_ARN',
    'aws',
    "IAM role the IdentityStore client assumes (IAM Identity Center in another account); unset: the process's own credentials",
    roleArn,
    '—',
    false,
  ),
  spec(
    'IDSYNC_CLOUDTRAIL_ROLE_ARN',
    'aws',
    "IAM role the CloudTrail client assumes (`idsync activity sync` reading another account); unset: the process's own credentials",
    roleArn,
    '—',
    false,
  ),
  spec(
    'IDSYNC_ROLE_EXTERNAL_ID',
    'aws',
    'external id sent with every AssumeRole of the `IDSYNC_*_ROLE_ARN` roles, when their trust policies require one (2 to 1224 characters)',
    externalId,
    '—',
    false,
  ),
  spec(
    'IDSYNC_REVIEW_APPROVAL_DAYS',
    'inactive',
    'monthly review: days an operator has to approve it; then it expires and its tasks are cancelled (1 to 30)',
    whole(1, 30),
    '`7`',
    false,
  ),
  spec('AWS_ENDPOINT_URL_SFN', 'aws', 'endpoint override for Step Functions', url, '—', false),
  spec('AWS_ENDPOINT_URL_SESV2', 'aws', 'endpoint override for SES v2 (notices)', url, '—', false),
  spec(
    'IDSYNC_NOTICE_FROM',
    'notice',
    '`idsync inactive` and the monthly review: when set, idle users are emailed a notice (SES v2, from this verified address) and deleted (put up for approval) only `IDSYNC_NOTICE_DAYS` after it if they stayed idle',
    email,
    '—',
    false,
  ),
  spec(
    'IDSYNC_NOTICE_DAYS',
    'notice',
    'days between the notice and the earliest deletion (0 to 90)',
    whole(0, 90),
    `\`${DEFAULT_NOTICE_DAYS}\``,
    false,
  ),
  spec(
    'IDSYNC_NOTICE_CONTACT',
    'notice',
    'whom the notice tells users to ask (an email or a short text)',
    trimmed,
    '`IDSYNC_NOTICE_FROM`',
    false,
  ),
  spec(
    'IDSYNC_NOTICE_LOCALE',
    'notice',
    'language of the shipped notice templates: `en` or `ja`',
    z.enum(['en', 'ja']),
    '`en`',
    false,
  ),
  spec(
    'IDSYNC_NOTICE_TEMPLATE_DIR',
    'notice',
    'folder of notice templates replacing the shipped ones: `subject.txt`, `body.txt`, `body.html` (README: Notices)',
    nonEmpty,
    '—',
    false,
  ),
  spec('AWS_ENDPOINT_URL_SNS', 'aws', 'endpoint override for SNS', url, '—', false),
  spec(
    'AWS_ENDPOINT_URL_S3',
    'aws',
    'endpoint override for S3 (path-style requests)',
    url,
    '—',
    false,
  ),
  spec(
    'IDSYNC_OPERATOR_TOPIC_ARN',
    'lambda',
    'ARN of the SNS operator topic run summaries go to (guard tripped, work held; the monthly review: waiting, done, expired, rejected, stopped; set by the stack on the plan and review functions, by `idsync sandbox` locally)',
    nonEmpty.regex(
      /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
      'must be an SNS topic ARN',
    ),
    'none published',
    false,
  ),
  spec(
    'IDSYNC_REPORTS_BUCKET',
    'report',
    'S3 bucket of the run reports (HTML + CSV): the monthly review writes its reports there (`runs/RUN/`, linked by a pre-signed GET); `idsync report --run` reads a run from it when set (set by the stack on the review function)',
    nonEmpty.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    'the local audit table only',
    false,
  ),
  spec(
    'IDSYNC_GOOGLE_GROUP_WRITE',
    'plan',
    'how an idle IAM Identity Center user\'s seat ends: `off` lists "remove EMAIL from GROUP" for the operator; `on` takes the person out of the configured Google group(s) that grant it (Directory API `members.delete`, guarded, audited, undone by `idsync restore`; the service account needs the scope `https://www.googleapis.com/auth/admin.directory.group.member` by domain-wide delegation)',
    z.enum(['off', 'on'], 'must be off or on'),
    '`off`',
    false,
  ),
];
