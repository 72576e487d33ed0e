import type { AssetSuccessor } from '../asset-successor.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { GroupRoleMap } from '../group-roles.js';
import type { PriceTable } from '../prices.js';
import { type QuickSightAccountEntry, quickSightScopes } from '../quicksight-scopes.js';
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

export * from './config-types.js';

import type {
  AwsConfig,
  Config,
  ConfigFor,
  Env,
  LogLevel,
  PlanConfig,
  ServiceRoles,
} from './config-types.js';

/** The guard window (IDSYNC_GUARD_WINDOW_HOURS) in milliseconds, as the guard table counts it. */
export function guardWindowMs(plan: Pick<PlanConfig, 'guardWindowHours'>): number {
  return plan.guardWindowHours * 3_600_000;
}

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
    ...optional('region', read<string>('IDSYNC_IDC_REGION') ?? awsRegion(read)),
  }),
  quicksight: (read, _env, problems) => {
    const region = read<string>('IDSYNC_QUICKSIGHT_REGION') ?? awsRegion(read);
    const accountId = read<string>('IDSYNC_QUICKSIGHT_ACCOUNT_ID') ?? '';
    const namespace = read<string>('IDSYNC_QUICKSIGHT_NAMESPACE') as string;
    const entries = read<QuickSightAccountEntry[]>('IDSYNC_QUICKSIGHT_ACCOUNTS');
    const defaultRoleArn = read<string>('IDSYNC_QUICKSIGHT_ROLE_ARN');
    const scopes = quickSightScopes({
      accountId,
      namespace,
      ...optional('defaultRoleArn', defaultRoleArn),
      ...(entries ? { entries } : {}),
    });
    if (!scopes.ok && !problems.has('IDSYNC_QUICKSIGHT_ACCOUNTS'))
      problems.set('IDSYNC_QUICKSIGHT_ACCOUNTS', scopes.message);
    return {
      accountId,
      namespace,
      scopes: scopes.ok ? scopes.value : [],
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
    groupRoles: read<GroupRoleMap>('IDSYNC_GROUP_ROLES'),
    prices: read<PriceTable>('IDSYNC_PRICES'),
    guardWindowHours: read<number>('IDSYNC_GUARD_WINDOW_HOURS') as number,
    googleGroupWrite: read<string>('IDSYNC_GOOGLE_GROUP_WRITE') === 'on',
    assetSuccessor: read<AssetSuccessor>('IDSYNC_ASSET_SUCCESSOR'),
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
