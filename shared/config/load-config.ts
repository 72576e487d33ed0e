import { ConfigError } from '../errors.js';
import {
  DEFAULT_ACTIVITY_MAX_LAG_HOURS,
  DEFAULT_CONCURRENCY,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_RATE,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  DEFAULT_TERMINAL_LOG_LEVEL,
  type Section,
  VARIABLES,
} from './variables.js';

/**
 * The only reader of `process.env` in idsync. `loadConfig(['google', …])` parses the variables
 * of the sections asked for (plus `core` and `aws`, always) and returns a frozen, typed object.
 * The first invalid or missing variable throws a `ConfigError` that names it.
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
  };
  /** Connect and request timeouts of every client; default shared/aws/clients.ts's. */
  readonly timeouts?: ClientTimeouts;
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
export interface SnapshotConfig {
  readonly retentionDays: number;
}
export interface ReportConfig {
  readonly readerPrice: number;
}

export interface InactiveConfig {
  /** Days without activity after which a user is idle. */
  readonly days: number;
  /** Upper-case QuickSight role names whose idle users are deleted. */
  readonly roles: readonly string[];
  /** IDSYNC_INACTIVE_KEEP_GROUPS, lower-cased: their members are never pruned as idle. */
  readonly keepGroups: readonly string[];
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
}

export type ConfigFor<S extends Section> = Pick<Config, S | 'core' | 'aws'>;

export type Env = Readonly<Record<string, string | undefined>>;

const SPECS = new Map(VARIABLES.map((v) => [v.name, v]));

/** Parses one variable; `undefined` when it is unset (or blank) and optional. */
function read<T>(env: Env, name: string): T | undefined {
  const spec = SPECS.get(name);
  if (!spec) throw new Error(`unknown configuration variable ${name}`);
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    if (spec.required) throw new ConfigError(name, `is required (${spec.meaning})`);
    return undefined;
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new ConfigError(name, `${problem} (got ${JSON.stringify(shorten(raw))})`);
  }
  return parsed.data as T;
}

function shorten(raw: string): string {
  return raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
}

const builders: { [K in Section]: (env: Env) => Config[K] } = {
  core: (env) => ({
    tablePrefix: read<string>(env, 'IDSYNC_TABLE_PREFIX') ?? 'idsync',
    logLevel: read<LogLevel>(env, 'IDSYNC_LOG_LEVEL') ?? DEFAULT_LOG_LEVEL,
    terminalLogLevel: read<LogLevel>(env, 'IDSYNC_LOG_LEVEL') ?? DEFAULT_TERMINAL_LOG_LEVEL,
    sandboxControl: read<string>(env, 'IDSYNC_SANDBOX_CONTROL'),
    color: read<string>(env, 'NO_COLOR') === undefined,
  }),
  aws: (env) => {
    const all = read<string>(env, 'AWS_ENDPOINT_URL');
    const accessKeyId = read<string>(env, 'AWS_ACCESS_KEY_ID');
    const secretAccessKey = read<string>(env, 'AWS_SECRET_ACCESS_KEY');
    const sessionToken = read<string>(env, 'AWS_SESSION_TOKEN');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
      throw new ConfigError(missing, 'must be set together with its pair');
    }
    const region = awsRegion(env);
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
        dynamodb: read<string>(env, 'AWS_ENDPOINT_URL_DYNAMODB') ?? all,
        identitystore: read<string>(env, 'AWS_ENDPOINT_URL_IDENTITYSTORE') ?? all,
        quicksight: read<string>(env, 'AWS_ENDPOINT_URL_QUICKSIGHT') ?? all,
        sqs: read<string>(env, 'AWS_ENDPOINT_URL_SQS') ?? all,
        cloudtrail: read<string>(env, 'AWS_ENDPOINT_URL_CLOUDTRAIL') ?? all,
      },
      timeouts: {
        connectMs:
          1000 *
          (read<number>(env, 'IDSYNC_CONNECT_TIMEOUT_SECONDS') ?? DEFAULT_CONNECT_TIMEOUT_SECONDS),
        requestMs:
          1000 *
          (read<number>(env, 'IDSYNC_REQUEST_TIMEOUT_SECONDS') ?? DEFAULT_REQUEST_TIMEOUT_SECONDS),
      },
    };
  },
  google: (env) => ({
    groups: read<string[]>(env, 'IDSYNC_GOOGLE_GROUPS') ?? [],
    credentialsPath: read<string>(env, 'IDSYNC_GOOGLE_CREDENTIALS') ?? '',
    subject: read<string>(env, 'IDSYNC_GOOGLE_SUBJECT') ?? '',
    rootUrl: withSlash(
      read<string>(env, 'IDSYNC_GOOGLE_ROOT_URL') ?? 'https://admin.googleapis.com/',
    ),
  }),
  identityStore: (env) => ({
    identityStoreId: read<string>(env, 'IDSYNC_IDENTITY_STORE_ID') ?? '',
    accountId:
      read<string>(env, 'IDSYNC_IDC_ACCOUNT_ID') ??
      read<string>(env, 'IDSYNC_QUICKSIGHT_ACCOUNT_ID'),
  }),
  quicksight: (env) => {
    const region = read<string>(env, 'IDSYNC_QUICKSIGHT_REGION') ?? awsRegion(env);
    return {
      accountId: read<string>(env, 'IDSYNC_QUICKSIGHT_ACCOUNT_ID') ?? '',
      namespace: read<string>(env, 'IDSYNC_QUICKSIGHT_NAMESPACE') ?? 'default',
      ...(region ? { region } : {}),
    };
  },
  worker: (env) => ({
    rate: read<number>(env, 'IDSYNC_RATE') ?? DEFAULT_RATE,
    concurrency: read<number>(env, 'IDSYNC_CONCURRENCY') ?? DEFAULT_CONCURRENCY,
    leaseMs: (read<number>(env, 'IDSYNC_LEASE_SECONDS') ?? DEFAULT_LEASE_SECONDS) * 1000,
  }),
  plan: (env) => ({
    maxDeletions: read<number>(env, 'IDSYNC_MAX_DELETIONS') ?? 100,
    maxDeletionPercent: read<number>(env, 'IDSYNC_MAX_DELETION_PERCENT') ?? 10,
    protectedRoles: read<string[]>(env, 'IDSYNC_PROTECTED_ROLES') ?? [
      'ADMIN',
      'AUTHOR',
      'ADMIN_PRO',
      'AUTHOR_PRO',
    ],
    protectedUsers: read<string[]>(env, 'IDSYNC_PROTECTED_USERS') ?? [],
    managedUsernamePrefix: read<string>(env, 'IDSYNC_MANAGED_USERNAME_PREFIX'),
    guardWindowHours: read<number>(env, 'IDSYNC_GUARD_WINDOW_HOURS') ?? 24,
  }),
  snapshot: (env) => ({
    retentionDays: read<number>(env, 'IDSYNC_SNAPSHOT_RETENTION_DAYS') ?? 30,
  }),
  report: (env) => ({
    readerPrice: read<number>(env, 'IDSYNC_READER_PRICE') ?? 3,
  }),
  inactive: (env) => ({
    days: read<number>(env, 'IDSYNC_INACTIVE_DAYS') ?? 60,
    roles: read<string[]>(env, 'IDSYNC_INACTIVE_ROLES') ?? ['READER', 'READER_PRO'],
    keepGroups: (read<string[]>(env, 'IDSYNC_INACTIVE_KEEP_GROUPS') ?? []).map((g) =>
      g.toLowerCase(),
    ),
  }),
  activity: (env) => ({
    ignoredPrincipals: read<string[]>(env, 'IDSYNC_ACTIVITY_IGNORED_PRINCIPALS') ?? [],
    maxLagMs:
      (read<number>(env, 'IDSYNC_ACTIVITY_MAX_LAG_HOURS') ?? DEFAULT_ACTIVITY_MAX_LAG_HOURS) *
      3_600_000,
    // Each region once, in the order given.
    regions: [
      ...new Set(
        read<string[]>(env, 'IDSYNC_ACTIVITY_REGIONS') ??
          [read<string>(env, 'IDSYNC_QUICKSIGHT_REGION'), awsRegion(env)].filter(
            (r): r is string => r !== undefined,
          ),
      ),
    ],
  }),
  lambda: (env) => ({
    apply: read<boolean>(env, 'IDSYNC_APPLY') ?? false,
    workerQueueUrl: read<string>(env, 'IDSYNC_WORKER_QUEUE_URL'),
    googleCredentialsSecret: read<string>(env, 'IDSYNC_GOOGLE_CREDENTIALS_SECRET'),
  }),
};

/** The region the standard variables name; undefined leaves it to the SDK (profile). */
function awsRegion(env: Env): string | undefined {
  return read<string>(env, 'AWS_REGION') ?? read<string>(env, 'AWS_DEFAULT_REGION');
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
 * @throws ConfigError naming the first variable that is missing or invalid.
 */
export function loadConfig<S extends Section>(
  sections: readonly S[],
  env: Env = process.env,
): ConfigFor<S> {
  // Every variable that is set is validated, whichever command runs: a bad value never hides.
  for (const spec of VARIABLES) if (env[spec.name]?.trim()) read(env, spec.name);
  const wanted = new Set<Section>(['core', 'aws', ...sections]);
  const out: Partial<Record<Section, unknown>> = {};
  for (const section of wanted) out[section] = builders[section](env);
  return deepFreeze(out) as ConfigFor<S>;
}
