import { ConfigError, type ConfigProblem } from '../errors.js';
import type { PriceTable } from '../prices.js';
import {
  DEFAULT_LOG_LEVEL,
  DEFAULT_TERMINAL_LOG_LEVEL,
  defaultValueText,
  SECRET_VARIABLES,
  type Section,
  VARIABLES,
} from './variables.js';

/**
 * The only reader of `process.env` in idsync. `loadConfig(['google', …])` parses the variables
 * of the sections asked for (plus `core` and `aws`, always) and returns a frozen, typed object.
 * Every invalid or missing variable is reported at once: one `ConfigError` lists them all, each
 * naming its variable and what is wrong (values of secrets are never shown).
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CoreConfig {
  readonly tablePrefix: string;
  readonly logLevel: LogLevel;
  /** The level when the CLI's stderr is a terminal: IDSYNC_LOG_LEVEL, else its terminal default. */
  readonly terminalLogLevel: LogLevel;
  /** The running sandbox's control URL (IDSYNC_SANDBOX_CONTROL), when set. */
  readonly sandboxControl?: string;
  /** False when NO_COLOR is set (to anything but blank). */
  readonly color: boolean;
}
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
export interface AwsConfig {
  /**
   * AWS_REGION, else AWS_DEFAULT_REGION; unset means the SDK resolves it (the profile's region
   * in the shared config file); no region anywhere fails at the first call (a ConfigError).
   */
  readonly region?: string;
  /** Static credentials when both variables are set; otherwise the SDK's provider chain. */
  readonly credentials?: AwsCredentials;
  readonly endpoints: {
    readonly dynamodb?: string;
    readonly identitystore?: string;
    readonly quicksight?: string;
    readonly sqs?: string;
    readonly cloudtrail?: string;
    readonly sts?: string;
    readonly sfn?: string;
    readonly sesv2?: string;
    readonly sns?: string;
    readonly s3?: string;
  };
  /**
   * IAM roles the service clients assume (IDSYNC_<SERVICE>_ROLE_ARN), by client; a client
   * without one uses the process's own credentials (shared/aws/service-credentials.ts).
   */
  readonly roles?: ServiceRoles;
  /** IDSYNC_ROLE_EXTERNAL_ID: sent with every AssumeRole of `roles`. */
  readonly externalId?: string;
  /** Connect and request timeouts of every client; default shared/aws/clients.ts's. */
  readonly timeouts?: ClientTimeouts;
}
/** The role ARN each service client assumes, when one is configured. */
export interface ServiceRoles {
  readonly quicksight?: string;
  readonly identitystore?: string;
  readonly cloudtrail?: string;
}
/** How long a connection may take to open, and one call (answer included) to finish. */
export interface ClientTimeouts {
  readonly connectMs: number;
  readonly requestMs: number;
}
export interface GoogleConfig {
  readonly groups: readonly string[];
  readonly credentialsPath: string;
  readonly subject: string;
  readonly rootUrl: string;
}
export interface IdentityStoreConfig {
  readonly identityStoreId: string;
  /** Account of IAM Identity Center: CloudTrail events of other accounts are foreign. */
  readonly accountId?: string;
}
export interface QuickSightConfig {
  readonly accountId: string;
  readonly namespace: string;
  /** IDSYNC_QUICKSIGHT_REGION, else the AWS region (see AwsConfig.region). */
  readonly region?: string;
}
export interface WorkerConfig {
  readonly rate: number;
  readonly concurrency: number;
  /** IDSYNC_LEASE_SECONDS in ms. */
  readonly leaseMs: number;
}
export interface PlanConfig {
  readonly maxDeletions: number;
  readonly maxDeletionPercent: number;
  readonly protectedRoles: readonly string[];
  readonly protectedUsers: readonly string[];
  readonly managedUsernamePrefix?: string;
  /** Rolling window of the cross-run deletion budget (IDSYNC_MAX_DELETIONS per window). */
  readonly guardWindowHours: number;
}

/** The guard window (IDSYNC_GUARD_WINDOW_HOURS) in milliseconds, as the guard table counts it. */
export function guardWindowMs(plan: Pick<PlanConfig, 'guardWindowHours'>): number {
  return plan.guardWindowHours * 3_600_000;
}
export interface SnapshotConfig {
  readonly retentionDays: number;
}
export interface ReportConfig {
  /** Monthly seat prices by role (shared/prices.ts). */
  readonly prices: PriceTable;
  /** IDSYNC_REPORTS_BUCKET: where the Lambda runs' reports are (S3). */
  readonly reportsBucket?: string;
}

export interface InactiveConfig {
  /** Days without activity after which a user is idle. */
  readonly days: number;
  /** Upper-case QuickSight role names whose idle users are deleted. */
  readonly roles: readonly string[];
  /** IDSYNC_INACTIVE_KEEP_GROUPS, lower-cased: their members are never pruned as idle. */
  readonly keepGroups: readonly string[];
  /** IDSYNC_REVIEW_APPROVAL_DAYS: days a monthly review waits for approval before it expires. */
  readonly approvalDays: number;
}

export interface ActivityConfig {
  /** IAM role names or ARNs (as given) whose QuickSight calls are nobody's activity. */
  readonly ignoredPrincipals: readonly string[];
  /** IDSYNC_ACTIVITY_MAX_LAG_HOURS in ms: how far the record may end behind now to judge idleness. */
  readonly maxLagMs: number;
  /**
   * Regions whose CloudTrail `activity sync` reads (IDSYNC_ACTIVITY_REGIONS; default the
   * QuickSight identity region and AWS_REGION, de-duplicated). Empty when no region is known.
   */
  readonly regions: readonly string[];
}

export interface LambdaConfig {
  readonly apply: boolean;
  readonly workerQueueUrl?: string;
  readonly googleCredentialsSecret?: string;
  /** IDSYNC_OPERATOR_TOPIC_ARN: the SNS topic run summaries go to. */
  readonly operatorTopicArn?: string;
}

/** Notices to idle users before their deletion (services/notices/). */
export interface NoticeConfig {
  /** IDSYNC_NOTICE_FROM: unset means no notices (idle users are deleted as before). */
  readonly from?: string;
  readonly days: number;
  /** IDSYNC_NOTICE_CONTACT, else the From address. */
  readonly contact?: string;
  readonly locale: 'en' | 'ja';
  readonly templateDir?: string;
}

export interface Config {
  readonly core: CoreConfig;
  readonly aws: AwsConfig;
  readonly google: GoogleConfig;
  readonly identityStore: IdentityStoreConfig;
  readonly quicksight: QuickSightConfig;
  readonly worker: WorkerConfig;
  readonly plan: PlanConfig;
  readonly snapshot: SnapshotConfig;
  readonly report: ReportConfig;
  readonly inactive: InactiveConfig;
  readonly activity: ActivityConfig;
  readonly lambda: LambdaConfig;
  readonly notice: NoticeConfig;
}

export type ConfigFor<S extends Section> = Pick<Config, S | 'core' | 'aws'>;

export type Env = Readonly<Record<string, string | undefined>>;

const SPECS = new Map(VARIABLES.map((v) => [v.name, v]));

/** Reads one variable as its type; `undefined` when unset, blank, or wrong (then recorded). */
type Read = <T>(name: string) => T | undefined;

/**
 * Parses one variable; unset (or blank), its default from shared/config/variables.ts
 * (`defaultValueText`), or `undefined` when it has none and is optional.
 * @throws ConfigError naming it when it is missing but required, or invalid.
 */
function parseVariable<T>(env: Env, name: string): T | undefined {
  const spec = SPECS.get(name);
  if (!spec) throw new Error(`unknown configuration variable ${name}`);
  const set = env[name];
  const raw = set === undefined || set.trim() === '' ? defaultValueText(spec) : set;
  if (raw === undefined) {
    if (spec.required) throw new ConfigError(name, `is required (${spec.meaning})`);
    return undefined;
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'is invalid';
    // A secret's value is never shown, not even in part.
    if (SECRET_VARIABLES.has(name)) throw new ConfigError(name, problem);
    throw new ConfigError(name, `${problem} (got ${JSON.stringify(shorten(raw))})`);
  }
  return parsed.data as T;
}

/** A reader that records each variable's first problem instead of stopping at it. */
function recordingReader(env: Env, problems: Map<string, string>): Read {
  return <T>(name: string) => {
    try {
      return parseVariable<T>(env, name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const p of error.problems)
        if (!problems.has(p.variable)) problems.set(p.variable, p.problem);
      return undefined;
    }
  };
}

function shorten(raw: string): string {
  return raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
}

const builders: {
  [K in Section]: (read: Read, env: Env, problems: Map<string, string>) => Config[K];
} = {
  core: (read) => ({
    tablePrefix: read<string>('IDSYNC_TABLE_PREFIX') as string,
    logLevel: read<LogLevel>('IDSYNC_LOG_LEVEL') ?? DEFAULT_LOG_LEVEL,
    terminalLogLevel: read<LogLevel>('IDSYNC_LOG_LEVEL') ?? DEFAULT_TERMINAL_LOG_LEVEL,
    sandboxControl: read<string>('IDSYNC_SANDBOX_CONTROL'),
    color: read<string>('NO_COLOR') === undefined,
  }),
  aws: (read, env, problems) => {
    const all = read<string>('AWS_ENDPOINT_URL');
    const accessKeyId = read<string>('AWS_ACCESS_KEY_ID');
    const secretAccessKey = read<string>('AWS_SECRET_ACCESS_KEY');
    const sessionToken = read<string>('AWS_SESSION_TOKEN');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
      // A pair member that is set but invalid has its own problem already.
      if (!env[missing]?.trim()) problems.set(missing, 'must be set together with its pair');
    }
    const region = awsRegion(read);
    return {
      ...(region ? { region } : {}),
      ...(accessKeyId && secretAccessKey
        ? {
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(sessionToken ? { sessionToken } : {}),
            },
          }
        : {}),
      endpoints: {
        dynamodb: read<string>('AWS_ENDPOINT_URL_DYNAMODB') ?? all,
        identitystore: read<string>('AWS_ENDPOINT_URL_IDENTITYSTORE') ?? all,
        quicksight: read<string>('AWS_ENDPOINT_URL_QUICKSIGHT') ?? all,
        sqs: read<string>('AWS_ENDPOINT_URL_SQS') ?? all,
        cloudtrail: read<string>('AWS_ENDPOINT_URL_CLOUDTRAIL') ?? all,
        sts: read<string>('AWS_ENDPOINT_URL_STS') ?? all,
        sfn: read<string>('AWS_ENDPOINT_URL_SFN') ?? all,
        sesv2: read<string>('AWS_ENDPOINT_URL_SESV2') ?? all,
        sns: read<string>('AWS_ENDPOINT_URL_SNS') ?? all,
        s3: read<string>('AWS_ENDPOINT_URL_S3') ?? all,
      },
      ...serviceRoles(read),
      timeouts: {
        connectMs: 1000 * (read<number>('IDSYNC_CONNECT_TIMEOUT_SECONDS') as number),
        requestMs: 1000 * (read<number>('IDSYNC_REQUEST_TIMEOUT_SECONDS') as number),
      },
    };
  },
  google: (read) => ({
    groups: read<string[]>('IDSYNC_GOOGLE_GROUPS') ?? [],
    credentialsPath: read<string>('IDSYNC_GOOGLE_CREDENTIALS') ?? '',
    subject: read<string>('IDSYNC_GOOGLE_SUBJECT') ?? '',
    rootUrl: withSlash(read<string>('IDSYNC_GOOGLE_ROOT_URL') as string),
  }),
  identityStore: (read) => ({
    identityStoreId: read<string>('IDSYNC_IDENTITY_STORE_ID') ?? '',
    accountId:
      read<string>('IDSYNC_IDC_ACCOUNT_ID') ?? read<string>('IDSYNC_QUICKSIGHT_ACCOUNT_ID'),
  }),
  quicksight: (read) => {
    const region = read<string>('IDSYNC_QUICKSIGHT_REGION') ?? awsRegion(read);
    return {
      accountId: read<string>('IDSYNC_QUICKSIGHT_ACCOUNT_ID') ?? '',
      namespace: read<string>('IDSYNC_QUICKSIGHT_NAMESPACE') as string,
      ...(region ? { region } : {}),
    };
  },
  worker: (read) => ({
    rate: read<number>('IDSYNC_RATE') as number,
    concurrency: read<number>('IDSYNC_CONCURRENCY') as number,
    leaseMs: (read<number>('IDSYNC_LEASE_SECONDS') as number) * 1000,
  }),
  plan: (read) => ({
    maxDeletions: read<number>('IDSYNC_MAX_DELETIONS') as number,
    maxDeletionPercent: read<number>('IDSYNC_MAX_DELETION_PERCENT') as number,
    protectedRoles: read<string[]>('IDSYNC_PROTECTED_ROLES') as string[],
    protectedUsers: read<string[]>('IDSYNC_PROTECTED_USERS') ?? [],
    managedUsernamePrefix: read<string>('IDSYNC_MANAGED_USERNAME_PREFIX'),
    guardWindowHours: read<number>('IDSYNC_GUARD_WINDOW_HOURS') as number,
  }),
  snapshot: (read) => ({
    retentionDays: read<number>('IDSYNC_SNAPSHOT_RETENTION_DAYS') as number,
  }),
  report: (read) => ({
    prices: read<PriceTable>('IDSYNC_PRICES') as PriceTable,
    reportsBucket: read<string>('IDSYNC_REPORTS_BUCKET'),
  }),
  inactive: (read) => ({
    days: read<number>('IDSYNC_INACTIVE_DAYS') as number,
    roles: read<string[]>('IDSYNC_INACTIVE_ROLES') as string[],
    keepGroups: (read<string[]>('IDSYNC_INACTIVE_KEEP_GROUPS') ?? []).map((g) => g.toLowerCase()),
    approvalDays: read<number>('IDSYNC_REVIEW_APPROVAL_DAYS') as number,
  }),
  activity: (read) => ({
    ignoredPrincipals: read<string[]>('IDSYNC_ACTIVITY_IGNORED_PRINCIPALS') ?? [],
    maxLagMs: (read<number>('IDSYNC_ACTIVITY_MAX_LAG_HOURS') as number) * 3_600_000,
    // Each region once, in the order given.
    regions: [
      ...new Set(
        read<string[]>('IDSYNC_ACTIVITY_REGIONS') ??
          [read<string>('IDSYNC_QUICKSIGHT_REGION'), awsRegion(read)].filter(
            (r): r is string => r !== undefined,
          ),
      ),
    ],
  }),
  lambda: (read) => ({
    apply: read<boolean>('IDSYNC_APPLY') as boolean,
    workerQueueUrl: read<string>('IDSYNC_WORKER_QUEUE_URL'),
    googleCredentialsSecret: read<string>('IDSYNC_GOOGLE_CREDENTIALS_SECRET'),
    operatorTopicArn: read<string>('IDSYNC_OPERATOR_TOPIC_ARN'),
  }),
  notice: (read) => {
    const from = read<string>('IDSYNC_NOTICE_FROM');
    const contact = read<string>('IDSYNC_NOTICE_CONTACT');
    const templateDir = read<string>('IDSYNC_NOTICE_TEMPLATE_DIR');
    return {
      ...(from ? { from } : {}),
      days: read<number>('IDSYNC_NOTICE_DAYS') as number,
      ...(contact || from ? { contact: contact || from } : {}),
      locale: read<'en' | 'ja'>('IDSYNC_NOTICE_LOCALE') as 'en' | 'ja',
      ...(templateDir ? { templateDir } : {}),
    };
  },
};

/** The per-service roles and their external id; nothing when no role is configured. */
function serviceRoles(read: Read): Pick<AwsConfig, 'roles' | 'externalId'> {
  const roles: ServiceRoles = {
    ...optional('quicksight', read<string>('IDSYNC_QUICKSIGHT_ROLE_ARN')),
    ...optional('identitystore', read<string>('IDSYNC_IDENTITYSTORE_ROLE_ARN')),
    ...optional('cloudtrail', read<string>('IDSYNC_CLOUDTRAIL_ROLE_ARN')),
  };
  const externalId = read<string>('IDSYNC_ROLE_EXTERNAL_ID');
  return {
    ...(Object.keys(roles).length > 0 ? { roles } : {}),
    ...(externalId ? { externalId } : {}),
  };
}

function optional<K extends string>(key: K, value: string | undefined) {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The region the standard variables name; undefined leaves it to the SDK (profile). */
function awsRegion(read: Read): string | undefined {
  return read<string>('AWS_REGION') ?? read<string>('AWS_DEFAULT_REGION');
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the configuration of the given sections from `env` (default `process.env`).
 * @throws ConfigError listing every variable that is missing or invalid (one problem each).
 */
export function loadConfig<S extends Section>(
  sections: readonly S[],
  env: Env = process.env,
): ConfigFor<S> {
  const problems = new Map<string, string>();
  const read = recordingReader(env, problems);
  // Every variable that is set is validated, whichever command runs: a bad value never hides.
  for (const spec of VARIABLES) if (env[spec.name]?.trim()) read(spec.name);
  const wanted = new Set<Section>(['core', 'aws', ...sections]);
  const out: Partial<Record<Section, unknown>> = {};
  for (const section of wanted) out[section] = builders[section](read, env, problems);
  if (problems.size > 0) throw configErrorOf(problems);
  return deepFreeze(out) as ConfigFor<S>;
}

/** One error for all problems, in the order of the variable list (README's table). */
function configErrorOf(problems: ReadonlyMap<string, string>): ConfigError {
  const order = (name: string) => VARIABLES.findIndex((v) => v.name === name);
  const list: ConfigProblem[] = [...problems]
    .map(([variable, problem]) => ({ variable, problem }))
    .sort((a, b) => order(a.variable) - order(b.variable));
  const [first, ...more] = list as [ConfigProblem, ...ConfigProblem[]];
  return new ConfigError(first.variable, first.problem, more);
}
