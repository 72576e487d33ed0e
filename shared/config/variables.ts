import * as z from 'zod';

/**
 * Every environment variable idsync reads, in one list. The config loader parses them, the README's
 * configuration table is rendered from them (a test keeps the two equal), and each command asks
 * only for the sections it needs.
 */

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
  | 'lambda';

export interface VariableSpec {
  readonly name: string;
  readonly section: Section;
  readonly meaning: string;
  /** Shown in the README; `undefined` means required when its section is asked for. */
  readonly defaultText?: string;
  readonly required: boolean;
  readonly schema: z.ZodType;
}

const trimmed = z.string().trim();
const nonEmpty = trimmed.min(1, 'must not be empty');
const csvList = trimmed.transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0),
);
const email = nonEmpty.pipe(z.email('must be an email address'));
const emailList = csvList.pipe(
  z.array(z.email('each entry must be an email address')).min(1, 'must list at least one group'),
);
const positiveNumber = nonEmpty
  .pipe(z.coerce.number('must be a number'))
  .pipe(z.number().positive('must be greater than 0').finite('must be finite'));
const positiveInt = nonEmpty
  .pipe(z.coerce.number('must be a number'))
  .pipe(z.number().int('must be a whole number').positive('must be greater than 0'));
const nonNegativeInt = nonEmpty
  .pipe(z.coerce.number('must be a number'))
  .pipe(z.number().int('must be a whole number').nonnegative('must be 0 or more'));
const percent = nonEmpty
  .pipe(z.coerce.number('must be a number'))
  .pipe(z.number().gt(0, 'must be greater than 0').max(100, 'must be at most 100'));
const url = nonEmpty.pipe(z.url('must be a URL such as http://127.0.0.1:4566'));
const bool = trimmed
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** QuickSight's user roles (the SDK's `UserRole`): a typo in a role list is an error, never a silent no-op. */
export const QUICKSIGHT_ROLES = [
  'ADMIN',
  'ADMIN_PRO',
  'AUTHOR',
  'AUTHOR_PRO',
  'READER',
  'READER_PRO',
  'RESTRICTED_AUTHOR',
  'RESTRICTED_READER',
] as const;
const roleList = csvList
  .transform((roles) => roles.map((r) => r.toUpperCase()))
  .pipe(
    z
      .array(z.enum(QUICKSIGHT_ROLES, `each entry must be one of ${QUICKSIGHT_ROLES.join(', ')}`))
      .min(1, 'must list at least one role'),
  );

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

export const DEFAULT_RATE = 50;
export const DEFAULT_CONCURRENCY = 16;

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
    'IDSYNC_QUICKSIGHT_ACCOUNT_ID',
    'quicksight',
    'AWS account id of QuickSight',
    nonEmpty.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  ),
  spec(
    'IDSYNC_QUICKSIGHT_NAMESPACE',
    'quicksight',
    'QuickSight namespace',
    nonEmpty.regex(/^[a-zA-Z0-9._-]{1,64}$/, 'must be a QuickSight namespace name'),
    '`default`',
    false,
  ),
  spec(
    'IDSYNC_QUICKSIGHT_REGION',
    'quicksight',
    'QuickSight identity region',
    nonEmpty.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
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
    '`info`',
    false,
  ),
  spec(
    'IDSYNC_RATE',
    'worker',
    'ceiling on QuickSight calls per second',
    positiveNumber,
    `\`${DEFAULT_RATE}\``,
    false,
  ),
  spec(
    'IDSYNC_CONCURRENCY',
    'worker',
    'ceiling on in-flight QuickSight calls',
    positiveInt,
    `\`${DEFAULT_CONCURRENCY}\``,
    false,
  ),
  spec(
    'IDSYNC_MAX_DELETIONS',
    'plan',
    'guard: most deletions one run may make',
    nonNegativeInt,
    '`100`',
    false,
  ),
  spec(
    'IDSYNC_MAX_DELETION_PERCENT',
    'plan',
    'guard: most deletions one run may make, as a percentage of QuickSight users',
    percent,
    '`10`',
    false,
  ),
  spec(
    'IDSYNC_PROTECTED_ROLES',
    'plan',
    'roles never deleted',
    csvList.transform((roles) => roles.map((r) => r.toUpperCase())),
    '`ADMIN,AUTHOR,ADMIN_PRO,AUTHOR_PRO`',
    false,
  ),
  spec(
    'IDSYNC_PROTECTED_USERS',
    'plan',
    'usernames or emails never deleted (comma-separated)',
    csvList,
    '—',
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
    '`idsync inactive`: a user with no activity in this many days is idle (at most the 90 days CloudTrail keeps)',
    positiveInt.pipe(z.number().max(90, 'must be at most 90 (the history CloudTrail keeps)')),
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
    'IDSYNC_ACTIVITY_IGNORED_PRINCIPALS',
    'activity',
    "`idsync activity`: comma-separated IAM role names or ARNs whose QuickSight calls are not anyone's activity (idsync's own roles)",
    csvList,
    '—',
    false,
  ),
  spec(
    'IDSYNC_SNAPSHOT_RETENTION_DAYS',
    'snapshot',
    'days a snapshot is kept before its TTL expires it (the newest two COMPLETE ones are kept)',
    positiveInt,
    '`30`',
    false,
  ),
  spec(
    'IDSYNC_READER_PRICE',
    'report',
    'monthly price of one Reader in USD, for the savings estimate',
    nonEmpty
      .pipe(z.coerce.number('must be a number'))
      .pipe(z.number().nonnegative('must be 0 or more')),
    '`3`',
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
    nonEmpty.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
    '`us-east-1`',
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
  spec('AWS_ENDPOINT_URL_CLOUDTRAIL', 'aws', 'endpoint override for CloudTrail', url, '—', false),
];
