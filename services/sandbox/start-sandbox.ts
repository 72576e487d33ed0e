import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailState } from './cloudtrail/cloudtrail-state.js';
import { type CloudTrailStandIn, startCloudTrailStandIn } from './cloudtrail/stand-in.js';
import { startControlServer } from './control/control-server.js';
import { createWorld } from './control/world.js';
import { type DynamoServer, startDynamoServer } from './dynamo-server.js';
import { type GoogleStandIn, startGoogleStandIn } from './google/stand-in.js';
import type { FaultSettings } from './http/faults.js';
import type { StandIn } from './http/stand-in.js';
import { startIdentityStoreStandIn } from './identitystore/stand-in.js';
import { startQuickSightStandIn } from './quicksight/stand-in.js';
import { type S3StandIn, startS3StandIn } from './s3/stand-in.js';
import {
  type ActivitySpec,
  type GeneratedActivity,
  generateActivity,
  SANDBOX_EMBEDDING_ROLE,
  SANDBOX_IDSYNC_ROLE,
} from './scenarios/activity.js';
import { demoOrg, type SandboxOrg } from './scenarios/org.js';
import { type SnsStandIn, startSnsStandIn } from './sns/stand-in.js';

/**
 * The sandbox: dynalite plus the QuickSight, IdentityStore and Google Directory stand-ins,
 * serving one organisation, all on 127.0.0.1. `env` is the environment that points idsync at it.
 */
export interface Sandbox {
  readonly org: SandboxOrg;
  readonly dynamo: DynamoServer;
  readonly quickSight: StandIn;
  readonly identityStore: StandIn;
  readonly google: GoogleStandIn;
  /** URL of the control endpoint (faults, DynamoDB stop/start) when started with `control`. */
  readonly controlUrl?: string;
  /** CloudTrail LookupEvents (2 calls a second), holding `activity.records`. */
  readonly cloudTrail: CloudTrailStandIn;
  readonly cloudTrailState: CloudTrailState;
  /** The QuickSight activity generated for the organisation (scenarios/activity.ts). */
  readonly activity: GeneratedActivity;
  /** The operator topic (SNS): every run summary published to it. */
  readonly sns: SnsStandIn;
  /** The reports bucket (S3). */
  readonly s3: S3StandIn;
  /** The operator topic's ARN and the reports bucket's name the sandbox serves. */
  readonly operators: { readonly topicArn: string; readonly reportsBucket: string };
  /** Variables of shared/config/variables.ts (and the standard AWS ones) that point idsync at this sandbox. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The organisation to serve; default the demo organisation (≈2,200 Readers). */
  readonly org?: SandboxOrg;
  /** LevelDB folder for dynalite; in memory when omitted. */
  readonly dataDir?: string;
  /** Fixed ports (0 or unset: free ones). */
  readonly ports?: {
    dynamodb?: number;
    quicksight?: number;
    identitystore?: number;
    google?: number;
    cloudtrail?: number;
  };
  readonly faults?: {
    quicksight?: FaultSettings;
    identitystore?: FaultSettings;
    google?: FaultSettings;
    cloudtrail?: FaultSettings;
  };
  /**
   * The QuickSight activity the CloudTrail stand-in holds; default `generateActivity(org,
   * { now })` at the sandbox's start (2 events per active user).
   */
  readonly activity?: Partial<ActivitySpec>;
  /** Folder for the generated service-account key; default a fresh temporary folder. */
  readonly keyDir?: string;
  readonly tablePrefix?: string;
  readonly random?: () => number;
  /**
   * Start the control endpoint (services/sandbox/control/control-server.ts) and name it in
   * `env` as IDSYNC_SANDBOX_CONTROL, for `idsync sandbox fault` and the world controls
   * (`idsync sandbox leave|join|move|sync|activity|new-user`) from another shell.
   */
  readonly control?: boolean;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const org = options.org ?? demoOrg();
  const ownKeyDir = options.keyDir === undefined;
  const keyDir = options.keyDir ?? mkdtempSync(join(tmpdir(), 'idsync-sandbox-'));
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const dynamo = await startDynamoServer({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.ports?.dynamodb ? { port: options.ports.dynamodb } : {}),
    });
    started.push(dynamo);
    const common = (port?: number, faults?: FaultSettings) => ({
      ...(port ? { port } : {}),
      ...(faults ? { faults } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    const quickSight = await startQuickSightStandIn(
      org.quickSight,
      common(options.ports?.quicksight, options.faults?.quicksight),
    );
    started.push(quickSight);
    const identityStore = await startIdentityStoreStandIn(
      org.identityStore,
      common(options.ports?.identitystore, options.faults?.identitystore),
    );
    started.push(identityStore);
    const google = await startGoogleStandIn(org.google, {
      ...common(options.ports?.google, options.faults?.google),
      keyDir,
      allowedSubjects: [org.subject],
    });
    started.push(google);
    const activity = generateActivity(org, { now: new Date(), ...options.activity });
    const cloudTrailState = new CloudTrailState(org.region);
    cloudTrailState.add(activity.records);
    const cloudTrail = await startCloudTrailStandIn(
      cloudTrailState,
      common(options.ports?.cloudtrail, options.faults?.cloudtrail),
    );
    started.push(cloudTrail);
    const operators = {
      topicArn: `arn:aws:sns:${org.region}:${org.accountId}:idsync-operators`,
      reportsBucket: 'idsync-reports-sandbox',
    };
    const sns = await startSnsStandIn([operators.topicArn], common());
    started.push(sns);
    const s3 = await startS3StandIn([operators.reportsBucket], common());
    started.push(s3);
    const control = options.control
      ? await startControlServer({
          faults: {
            quicksight: quickSight.faults,
            identitystore: identityStore.faults,
            google: google.faults,
            cloudtrail: cloudTrail.faults,
          },
          dynamo,
          cloudTrailRegion: cloudTrail,
          notices: () => sns.published,
          world: createWorld(
            org,
            cloudTrailState,
            options.random ? { random: options.random } : {},
          ),
        })
      : undefined;
    // Closed first: no fault change or DynamoDB restart races the shutdown.
    if (control) started.unshift(control);
    const env: Record<string, string> = {
      AWS_REGION: org.region,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_QUICKSIGHT: quickSight.endpoint,
      AWS_ENDPOINT_URL_IDENTITYSTORE: identityStore.endpoint,
      AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      IDSYNC_OPERATOR_TOPIC_ARN: operators.topicArn,
      IDSYNC_REPORTS_BUCKET: operators.reportsBucket,
      IDSYNC_ACTIVITY_IGNORED_PRINCIPALS: `${SANDBOX_IDSYNC_ROLE},${SANDBOX_EMBEDDING_ROLE}`,
      IDSYNC_GOOGLE_GROUPS: org.groups.join(','),
      IDSYNC_GOOGLE_CREDENTIALS: google.credentialsPath,
      IDSYNC_GOOGLE_SUBJECT: org.subject,
      IDSYNC_GOOGLE_ROOT_URL: google.rootUrl,
      IDSYNC_IDENTITY_STORE_ID: org.identityStoreId,
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: org.accountId,
      IDSYNC_QUICKSIGHT_NAMESPACE: org.namespace,
      IDSYNC_QUICKSIGHT_REGION: org.region,
      IDSYNC_TABLE_PREFIX: options.tablePrefix ?? 'idsync',
      IDSYNC_PROTECTED_USERS: org.protectedEmails.join(','),
      ...(control ? { IDSYNC_SANDBOX_CONTROL: control.url } : {}),
    };
    return {
      org,
      dynamo,
      quickSight,
      identityStore,
      google,
      cloudTrail,
      cloudTrailState,
      activity,
      sns,
      s3,
      operators,
      env,
      ...(control ? { controlUrl: control.url } : {}),
      close: async () => {
        if (control) await control.close();
        await Promise.all(started.filter((s) => s !== control).map((s) => s.close()));
        if (ownKeyDir) rmSync(keyDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.close()));
    if (ownKeyDir) rmSync(keyDir, { recursive: true, force: true });
    throw error;
  }
}

/** The `export` lines a second shell can `eval` to point idsync at a running sandbox. */
export function formatEnv(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
