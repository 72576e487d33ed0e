import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleArnAccount } from '../../shared/aws/role-arn.js';
import { ROLE_VARIABLES } from '../../shared/aws/service-credentials.js';
import { CloudTrailState } from './cloudtrail/cloudtrail-state.js';
import { type CloudTrailStandIn, startCloudTrailStandIn } from './cloudtrail/stand-in.js';
import { startControlServer } from './control/control-server.js';
import { createWorld } from './control/world.js';
import { type DynamoServer, startDynamoServer } from './dynamo-server.js';
import { type GoogleStandIn, startGoogleStandIn } from './google/stand-in.js';
import type { FaultSettings } from './http/faults.js';
import { accessKeyOf } from './http/signed-by.js';
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
import {
  multiQuickSightLayout,
  type SandboxLayout,
  twoAccountLayout,
} from './scenarios/layouts.js';
import { demoOrg, type SandboxOrg } from './scenarios/org.js';
import { type SesStandIn, startSesStandIn } from './ses/stand-in.js';
import { type SnsStandIn, startSnsStandIn } from './sns/stand-in.js';
import { SesState, type SesStateOptions } from './state/ses-state.js';
import { signedByRole, signedInAccount } from './sts/role-check.js';
import { type StsStandIn, startStsStandIn } from './sts/stand-in.js';
import { StsState } from './sts/sts-state.js';

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
  /** SES v2 (notices): its outbox holds every accepted message. */
  readonly ses: SesStandIn;
  /** URL of the control endpoint (faults, DynamoDB stop/start) when started with `control`. */
  readonly controlUrl?: string;
  /** CloudTrail LookupEvents (2 calls a second), holding `activity.records`. */
  readonly cloudTrail: CloudTrailStandIn;
  readonly cloudTrailState: CloudTrailState;
  /** STS AssumeRole (AWS_ENDPOINT_URL_STS), with its record of who assumed what (`sts.state`). */
  readonly sts: StsStandIn;
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
    sts?: number;
    ses?: number;
  };
  /**
   * The SES stand-in's identities and quota; default: the organisation's domain verified (so
   * `IDSYNC_NOTICE_FROM=idsync@<domain>` works), nobody refused, 14 messages a second.
   */
  readonly ses?: SesStateOptions;
  readonly faults?: {
    quicksight?: FaultSettings;
    identitystore?: FaultSettings;
    google?: FaultSettings;
    cloudtrail?: FaultSettings;
    sts?: FaultSettings;
    ses?: FaultSettings;
  };
  /**
   * Roles in other accounts (README "Roles in other accounts"): the STS stand-in lets these be
   * assumed (with `externalId`, when given), `env` names them (IDSYNC_<SERVICE>_ROLE_ARN,
   * IDSYNC_ROLE_EXTERNAL_ID), and each service's stand-in then answers only calls signed with
   * its role's unexpired session. Unset: no roles, any credentials work.
   */
  readonly roles?: SandboxRoles;
  /**
   * `two-account`: IAM Identity Center in its own account, reached only through the reader role
   * there (scenarios/layouts.ts); `env` names that account (IDSYNC_IDC_ACCOUNT_ID) and role.
   * `multi-quicksight`: QuickSight users in two namespaces and a second account, reached only
   * through its role (`env` names them in IDSYNC_QUICKSIGHT_ACCOUNTS).
   * @default 'one-account'
   */
  readonly layout?: SandboxLayout;
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

export interface SandboxRoles {
  readonly quicksight?: string;
  readonly identitystore?: string;
  readonly cloudtrail?: string;
  readonly externalId?: string;
}

/** The sandbox's own long-term credentials (its AWS_ACCESS_KEY_ID), of the organisation's account. */
const OWN_ACCESS_KEY_ID = 'sandbox';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const twoAccounts =
    options.layout === 'two-account'
      ? twoAccountLayout(options.org ?? demoOrg(), options.roles)
      : undefined;
  const multi =
    options.layout === 'multi-quicksight'
      ? multiQuickSightLayout(options.org ?? demoOrg())
      : undefined;
  const org = twoAccounts?.org ?? multi?.org ?? options.org ?? demoOrg();
  const ownKeyDir = options.keyDir === undefined;
  const keyDir = options.keyDir ?? mkdtempSync(join(tmpdir(), 'idsync-sandbox-'));
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const dynamo = await startDynamoServer({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.ports?.dynamodb ? { port: options.ports.dynamodb } : {}),
    });
    started.push(dynamo);
    const stsState = new StsState(org.accountId);
    const roles = twoAccounts?.roles ?? options.roles ?? {};
    for (const service of Object.keys(ROLE_VARIABLES) as (keyof typeof ROLE_VARIABLES)[]) {
      const roleArn = roles[service];
      if (roleArn)
        stsState.addRole({
          roleArn,
          ...(roles.externalId ? { externalId: roles.externalId } : {}),
        });
    }
    const common = (
      port?: number,
      faults?: FaultSettings,
      service?: keyof typeof ROLE_VARIABLES,
    ) => {
      const roleArn = service ? roles[service] : undefined;
      return {
        ...(port ? { port } : {}),
        ...(faults ? { faults } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(roleArn
          ? { callerCheck: signedByRole(stsState, roleArn, callerOptions(service)) }
          : {}),
      };
    };
    // Two accounts: the IdentityStore stand-in is in the IdC account, where the sandbox's own
    // credentials (of the QuickSight account) hold no rights.
    function callerOptions(service?: keyof typeof ROLE_VARIABLES) {
      if (!twoAccounts || service !== 'identitystore') return {};
      return {
        otherAccount: {
          accessKeyId: OWN_ACCESS_KEY_ID,
          principalArn: `arn:aws:iam::${org.accountId}:user/sandbox`,
          resourceArn: `arn:aws:identitystore::${org.identityCenterAccountId}:identitystore/${org.identityStoreId}`,
        },
      };
    }
    const sts = await startStsStandIn(stsState, common(options.ports?.sts, options.faults?.sts));
    started.push(sts);
    // Several QuickSight accounts: each answers only its own account's credentials.
    if (multi)
      stsState.addRole({
        roleArn: multi.second.roleArn,
        ...(roles.externalId ? { externalId: roles.externalId } : {}),
      });
    const quickSightCommon = common(
      options.ports?.quicksight,
      options.faults?.quicksight,
      'quicksight',
    );
    const quickSight = await startQuickSightStandIn(
      [org.quickSight, ...(org.moreQuickSight ?? [])],
      {
        ...quickSightCommon,
        ...(multi
          ? {
              accountChecks: new Map([
                [
                  org.accountId,
                  quickSightCommon.callerCheck ?? signedInAccount(stsState, org.accountId),
                ],
                [
                  multi.second.accountId,
                  signedByRole(stsState, multi.second.roleArn, {
                    // The sandbox's own credentials are the home account's: no rights there.
                    otherAccount: {
                      accessKeyId: OWN_ACCESS_KEY_ID,
                      principalArn: `arn:aws:iam::${org.accountId}:user/sandbox`,
                      resourceArn: `arn:aws:quicksight:${org.region}:${multi.second.accountId}:namespace/*`,
                    },
                  }),
                ],
              ]),
            }
          : {}),
      },
    );
    started.push(quickSight);
    const identityStore = await startIdentityStoreStandIn(
      org.identityStore,
      common(options.ports?.identitystore, options.faults?.identitystore, 'identitystore'),
    );
    started.push(identityStore);
    const google = await startGoogleStandIn(org.google, {
      ...common(options.ports?.google, options.faults?.google),
      keyDir,
      allowedSubjects: [org.subject],
    });
    started.push(google);
    const activity = generateActivity(org, { now: new Date(), ...options.activity });
    const cloudTrailState = new CloudTrailState(org.region, org.accountId);
    cloudTrailState.add(activity.records);
    const cloudTrail = await startCloudTrailStandIn(cloudTrailState, {
      ...common(options.ports?.cloudtrail, options.faults?.cloudtrail, 'cloudtrail'),
      // Event history is per account: a session of another QuickSight account's role reads that
      // account's; the sandbox's own credentials and its CloudTrail role read the home account's.
      accountOf: (req) => {
        const session = stsState.session(accessKeyOf(req) ?? '');
        return session && session.roleArn !== roles.cloudtrail
          ? roleArnAccount(session.roleArn)
          : undefined;
      },
    });
    started.push(cloudTrail);
    const ses = await startSesStandIn(
      new SesState({
        verifiedIdentities: [org.subject.slice(org.subject.indexOf('@') + 1)],
        ...options.ses,
      }),
      { ...common(options.ports?.ses, options.faults?.ses), region: org.region },
    );
    started.push(ses);
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
            ses: ses.faults,
          },
          dynamo,
          outbox: ses.state,
          cloudTrailRegion: cloudTrail,
          sts: stsState,
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
      AWS_ACCESS_KEY_ID: OWN_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_QUICKSIGHT: quickSight.endpoint,
      AWS_ENDPOINT_URL_IDENTITYSTORE: identityStore.endpoint,
      AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
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
      ...(org.identityCenterAccountId
        ? { IDSYNC_IDC_ACCOUNT_ID: org.identityCenterAccountId }
        : {}),
      IDSYNC_QUICKSIGHT_NAMESPACE: org.namespace,
      ...(multi ? { IDSYNC_QUICKSIGHT_ACCOUNTS: multi.quickSightAccounts } : {}),
      IDSYNC_QUICKSIGHT_REGION: org.region,
      IDSYNC_TABLE_PREFIX: options.tablePrefix ?? 'idsync',
      IDSYNC_PROTECTED_USERS: org.protectedEmails.join(','),
      ...(control ? { IDSYNC_SANDBOX_CONTROL: control.url } : {}),
      ...roleEnv(roles),
    };
    return {
      org,
      dynamo,
      quickSight,
      identityStore,
      google,
      ses,
      cloudTrail,
      cloudTrailState,
      sts,
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

/** The variables that make idsync assume the sandbox's roles. */
function roleEnv(roles: SandboxRoles): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, variable] of Object.entries(ROLE_VARIABLES)) {
    const roleArn = roles[service as keyof typeof ROLE_VARIABLES];
    if (roleArn) env[variable] = roleArn;
  }
  if (roles.externalId && Object.keys(env).length > 0)
    env.IDSYNC_ROLE_EXTERNAL_ID = roles.externalId;
  return env;
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
