import { VARIABLES } from '../../shared/config/variables.js';

/**
 * The deployment settings of the idsync stack, read from CDK context (`cdk.json` or
 * `-c key=value`). Every setting has a dummy but well-formed default, so `npx cdk synth` works in
 * a clean clone without credentials; a real deployment sets at least `account`, `region`,
 * `identityStoreId`, `groups` and `googleSubject`.
 */
export interface IdsyncSettings {
  /** Stack name. @default 'Idsync' */
  readonly stackName: string;
  /** AWS account of the stack. @default '123456789012' */
  readonly account: string;
  /** Region of the stack, the tables and IAM Identity Center. @default 'us-east-1' */
  readonly region: string;
  /** `IDSYNC_TABLE_PREFIX`: table names are `<prefix>-<id>`. @default 'idsync' */
  readonly tablePrefix: string;
  /** IdC identity store id. @default 'd-1234567890' */
  readonly identityStoreId: string;
  /**
   * Account of IAM Identity Center (the organisation's management account or its delegated
   * administrator). When it differs from `account`, the IdC user events reach the stack's event
   * bus through the companion stack's rule, and the functions read the identity store through the
   * companion's reader role (infra/stacks/identity-center-layout.ts). @default the stack account
   */
  readonly identityCenterAccountId: string;
  /** Region of IAM Identity Center (its identity store and its CloudTrail events). @default the stack region */
  readonly identityCenterRegion: string;
  /** Account of QuickSight. @default the stack account */
  readonly quickSightAccountId: string;
  /** QuickSight identity region (where users live). @default the stack region */
  readonly quickSightRegion: string;
  /** QuickSight namespace. @default 'default' */
  readonly namespace: string;
  /** Google groups whose members are entitled to QuickSight. @default ['quicksight-readers@example.com'] */
  readonly groups: readonly string[];
  /** Workspace admin the service account impersonates. @default 'admin@example.com' */
  readonly googleSubject: string;
  /** Name of the Secrets Manager secret holding the Google key. @default 'idsync/google-service-account-key' */
  readonly secretName: string;
  /** Minutes between two snapshot → plan cycles. @default 60 */
  readonly scheduleMinutes: number;
  /** Deletions really happen (IDSYNC_APPLY on the worker). @default false (dry run) */
  readonly apply: boolean;
  /** A further SNS topic the alarms notify, beside the stack's operator topic. @default none */
  readonly alarmTopicArn?: string;
  /** EventBridge Scheduler expression starting the monthly review. @default 'cron(0 9 1 * ? *)' (09:00 UTC on the 1st) */
  readonly reviewSchedule: string;
  /** IDSYNC_REVIEW_APPROVAL_DAYS: days a review waits for approval, then expires. @default 7 */
  readonly reviewApprovalDays: number;
  /** Email address subscribed to the operator topic (alarms and run summaries). @default none */
  readonly operatorEmail?: string;
  /** IDSYNC_NOTICE_FROM: the SES-verified address idle users are emailed from; notices on. @default none (off) */
  readonly noticeFrom?: string;
  /** IDSYNC_NOTICE_DAYS: days between the notice and the earliest deletion. @default the variable's default */
  readonly noticeDays?: number;
  /** IDSYNC_NOTICE_LOCALE: `en` or `ja`. @default the variable's default */
  readonly noticeLocale?: string;
  /** Further IDSYNC_* variables for every function (e.g. guard settings). @default {} */
  readonly environment: Readonly<Record<string, string>>;
}

export const DEFAULT_SETTINGS: IdsyncSettings = {
  stackName: 'Idsync',
  account: '123456789012',
  region: 'us-east-1',
  tablePrefix: 'idsync',
  identityStoreId: 'd-1234567890',
  identityCenterAccountId: '123456789012',
  identityCenterRegion: 'us-east-1',
  quickSightAccountId: '123456789012',
  quickSightRegion: 'us-east-1',
  namespace: 'default',
  groups: ['quicksight-readers@example.com'],
  googleSubject: 'admin@example.com',
  secretName: 'idsync/google-service-account-key',
  scheduleMinutes: 60,
  apply: false,
  reviewSchedule: 'cron(0 9 1 * ? *)',
  reviewApprovalDays: 7,
  environment: {},
};

/** Variables the stack sets itself; `environment` may not override them. */
const STACK_OWNED = new Set([
  'IDSYNC_TABLE_PREFIX',
  'IDSYNC_GOOGLE_GROUPS',
  'IDSYNC_GOOGLE_SUBJECT',
  'IDSYNC_GOOGLE_CREDENTIALS',
  'IDSYNC_IDENTITY_STORE_ID',
  'IDSYNC_IDC_ACCOUNT_ID',
  'IDSYNC_IDC_REGION',
  'IDSYNC_QUICKSIGHT_ACCOUNT_ID',
  'IDSYNC_QUICKSIGHT_NAMESPACE',
  'IDSYNC_QUICKSIGHT_REGION',
  'IDSYNC_REVIEW_APPROVAL_DAYS',
  'IDSYNC_NOTICE_FROM',
  'IDSYNC_NOTICE_DAYS',
  'IDSYNC_NOTICE_LOCALE',
]);

/**
 * Group writes are on (IDSYNC_GOOGLE_GROUP_WRITE=on in `environment`): the worker then runs
 * `leave_group` tasks, so it is deployed from services/worker/google-handler.ts with the
 * Parameters and Secrets extension, the Google key secret's ARN and read access to it. The value
 * itself is checked by `validateEnvironment` (infra/stacks/environment.ts).
 */
export function googleGroupWrites(settings: Pick<IdsyncSettings, 'environment'>): boolean {
  return settings.environment.IDSYNC_GOOGLE_GROUP_WRITE?.trim() === 'on';
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * IDSYNC_ROLE_EXTERNAL_ID of the `environment` context: a companion stack's roles trust idsync
 * only with it, so a layout with a companion requires it.
 * @throws SettingsError when it is not set
 */
export function requiredExternalId(settings: Pick<IdsyncSettings, 'environment'>): string {
  const externalId = settings.environment.IDSYNC_ROLE_EXTERNAL_ID?.trim();
  if (!externalId) throw new SettingsError('context environment must set IDSYNC_ROLE_EXTERNAL_ID');
  return externalId;
}

type ContextReader = (key: string) => unknown;

function text(read: ContextReader, key: string, fallback: string): string {
  const v = read(key);
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') {
    throw new SettingsError(`context ${key} must be a string`);
  }
  return String(v).trim();
}

function list(read: ContextReader, key: string, fallback: readonly string[]): readonly string[] {
  const v = read(key);
  if (v === undefined || v === null || v === '') return fallback;
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  const cleaned = items.map((s) => s.trim()).filter((s) => s.length > 0);
  if (cleaned.length === 0) throw new SettingsError(`context ${key} must list at least one entry`);
  return cleaned;
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const v = read(key);
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new SettingsError(`context ${key} must be true or false (got ${JSON.stringify(v)})`);
}

function positiveInt(read: ContextReader, key: string, fallback: number, unit = 'minutes'): number {
  const v = read(key);
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new SettingsError(`context ${key} must be a whole number of ${unit} > 0`);
  }
  return n;
}

function environment(read: ContextReader): Record<string, string> {
  const raw = read('environment');
  if (raw === undefined || raw === null || raw === '') return {};
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsError('context environment must be an object of IDSYNC_* variables');
  }
  const known = new Set(VARIABLES.map((v) => v.name).filter((n) => n.startsWith('IDSYNC_')));
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!known.has(name)) throw new SettingsError(`context environment: unknown variable ${name}`);
    if (STACK_OWNED.has(name)) {
      throw new SettingsError(
        `context environment: ${name} is set by the stack from its own context key`,
      );
    }
    out[name] = String(v);
  }
  return out;
}

/** Reads the settings from CDK context, e.g. `readSettings((k) => app.node.tryGetContext(k))`. */
export function readSettings(read: ContextReader): IdsyncSettings {
  const d = DEFAULT_SETTINGS;
  const account = text(read, 'account', d.account);
  const region = text(read, 'region', d.region);
  const alarmTopicArn = text(read, 'alarmTopicArn', '');
  const operatorEmail = text(read, 'operatorEmail', '');
  if (operatorEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(operatorEmail)) {
    throw new SettingsError('context operatorEmail must be one email address');
  }
  const noticeFrom = text(read, 'noticeFrom', '');
  if (noticeFrom && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(noticeFrom)) {
    throw new SettingsError('context noticeFrom must be one email address (SES-verified)');
  }
  const noticeDays = text(read, 'noticeDays', '');
  const noticeLocale = text(read, 'noticeLocale', '');
  const settings: IdsyncSettings = {
    stackName: text(read, 'stackName', d.stackName),
    account,
    region,
    tablePrefix: text(read, 'tablePrefix', d.tablePrefix),
    identityStoreId: text(read, 'identityStoreId', d.identityStoreId),
    identityCenterAccountId: text(read, 'identityCenterAccountId', account),
    identityCenterRegion: text(read, 'identityCenterRegion', region),
    quickSightAccountId: text(read, 'quickSightAccountId', account),
    quickSightRegion: text(read, 'quickSightRegion', region),
    namespace: text(read, 'namespace', d.namespace),
    groups: list(read, 'groups', d.groups),
    googleSubject: text(read, 'googleSubject', d.googleSubject),
    secretName: text(read, 'secretName', d.secretName),
    scheduleMinutes: positiveInt(read, 'scheduleMinutes', d.scheduleMinutes),
    apply: bool(read, 'apply', d.apply),
    reviewSchedule: text(read, 'reviewSchedule', d.reviewSchedule),
    reviewApprovalDays: positiveInt(read, 'reviewApprovalDays', d.reviewApprovalDays, 'days'),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    ...(operatorEmail ? { operatorEmail } : {}),
    ...(noticeFrom ? { noticeFrom } : {}),
    // Checked by the config module itself at synth (validateEnvironment): the same messages.
    ...(noticeDays ? { noticeDays: Number(noticeDays) } : {}),
    ...(noticeLocale ? { noticeLocale } : {}),
    environment: environment(read),
  };
  for (const key of ['account', 'identityCenterAccountId', 'quickSightAccountId'] as const) {
    if (!ACCOUNT_ID.test(settings[key])) {
      throw new SettingsError(
        `context ${key} must be a 12-digit AWS account id (got ${JSON.stringify(settings[key])})`,
      );
    }
  }
  for (const key of ['region', 'identityCenterRegion', 'quickSightRegion'] as const) {
    if (!REGION.test(settings[key])) {
      throw new SettingsError(
        `context ${key} must be an AWS region such as eu-west-1 (got ${JSON.stringify(settings[key])})`,
      );
    }
  }
  checkIdentityCenterLayout(settings);
  return settings;
}

const ACCOUNT_ID = /^\d{12}$/;
/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, … */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * IdC in another account or region (infra/stacks/identity-center-layout.ts): the stack sets
 * IDSYNC_IDENTITYSTORE_ROLE_ARN itself (the companion stack's reader role), and that role's
 * trust requires an external id, so IDSYNC_ROLE_EXTERNAL_ID must be given in `environment`.
 */
function checkIdentityCenterLayout(s: IdsyncSettings): void {
  if (s.identityCenterAccountId === s.account && s.identityCenterRegion === s.region) return;
  if (s.environment.IDSYNC_IDENTITYSTORE_ROLE_ARN !== undefined) {
    throw new SettingsError(
      'context environment: IDSYNC_IDENTITYSTORE_ROLE_ARN is set by the stack (the companion stack reader role) when identityCenterAccountId or identityCenterRegion differs from the stack',
    );
  }
  if (!s.environment.IDSYNC_ROLE_EXTERNAL_ID?.trim()) {
    throw new SettingsError(
      'context environment must set IDSYNC_ROLE_EXTERNAL_ID when identityCenterAccountId or identityCenterRegion differs from the stack: the reader role in the IdC account trusts idsync only with that external id',
    );
  }
}

/** `readSettings` from a plain object (tests, scripts). */
export function settingsFrom(context: Readonly<Record<string, unknown>> = {}): IdsyncSettings {
  return readSettings((k) => context[k]);
}
