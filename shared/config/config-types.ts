import type { AssetSuccessor } from '../asset-successor.js';
import type { GroupRoleMap } from '../group-roles.js';
import type { PriceTable } from '../prices.js';
import type { QuickSightScope } from '../quicksight-scopes.js';
import type { Section } from './variables.js';

/** The typed configuration `loadConfig` (./load-config.ts) returns, by section. */

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
  /** IDSYNC_IDC_REGION, else the AWS region (see AwsConfig.region). */
  readonly region?: string;
}
export interface QuickSightConfig {
  /** IDSYNC_QUICKSIGHT_ACCOUNT_ID: the home account, whose scopes keep bare namespace keys. */
  readonly accountId: string;
  /** IDSYNC_QUICKSIGHT_NAMESPACE: the home account's namespace, and any entry's without namespaces. */
  readonly namespace: string;
  /**
   * Every account and namespace idsync manages (IDSYNC_QUICKSIGHT_ACCOUNTS; without it the home
   * account's namespace alone), with the role each account's calls assume
   * (shared/quicksight-scopes.ts).
   */
  readonly scopes: readonly QuickSightScope[];
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
  /** IDSYNC_GROUP_ROLES: the role each group grants (shared/group-roles.ts); absent: roles are left alone. */
  readonly groupRoles?: GroupRoleMap;
  /** IDSYNC_PRICES, for the money of role changes (shared/prices.ts); absent: the defaults. */
  readonly prices?: PriceTable;
  /** Rolling window of the cross-run deletion budget (IDSYNC_MAX_DELETIONS per window). */
  readonly guardWindowHours: number;
  /**
   * IDSYNC_GOOGLE_GROUP_WRITE=on: an idle IAM_IDENTITY_CENTER user's seat is ended by taking the
   * person out of the Google groups that grant it (`leave_group` tasks); off: only listed.
   */
  readonly googleGroupWrite?: boolean;
  /** IDSYNC_ASSET_SUCCESSOR: who receives a departing owner's assets (shared/asset-successor.ts). */
  readonly assetSuccessor?: AssetSuccessor;
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
