import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The jobs that run as Lambda functions; each has `services/<job>/handler.ts`. */
export const JOBS = ['snapshot', 'plan', 'worker', 'events', 'activity', 'review'] as const;
export type Job = (typeof JOBS)[number];

/** `Snapshot`, `Plan`, …: the job's name in construct ids. */
export function jobLabel(job: Job): string {
  return job.charAt(0).toUpperCase() + job.slice(1);
}

/** The repository root (where package-lock.json is), from this file's location. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The handler file of a job: `services/<job>/handler.ts`. */
export function defaultEntry(job: Job, root = REPO_ROOT): string {
  return join(root, 'services', job, 'handler.ts');
}

/** The newest Node.js runtime aws-cdk-lib offers (Node 20 is past its Lambda support). */
export const IDSYNC_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild options of every function: one minified ES module with a source map, AWS SDK v3
 * bundled (the pinned versions, not the runtime's), ESM entry points preferred, and a `require`
 * made with createRequire for CommonJS dependencies that call it (pino, gaxios, ...).
 */
export function idsyncBundling(): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    bundleAwsSDK: true,
    target: 'node24',
    banner:
      "import { createRequire as __idsyncCreateRequire } from 'node:module'; const require = __idsyncCreateRequire(import.meta.url);",
    // Local esbuild from devDependencies; there is no Docker engine in CI.
    forceDockerBundling: false,
  };
}

export interface IdsyncFunctionProps {
  readonly job: Job;
  /** The handler file. @default `services/<job>/handler.ts` */
  readonly entry?: string;
  /** Environment variables (IDSYNC_* of shared/config, plus LAMBDA_ENV). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 5 minutes */
  readonly timeout?: Duration;
  /** @default 512 MiB */
  readonly memorySize?: number;
  /** Reserved concurrency. @default none (unreserved) */
  readonly reservedConcurrentExecutions?: number;
  /** How long the function's logs are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** The AWS Parameters and Secrets Lambda Extension. @default none */
  readonly paramsAndSecrets?: lambda.ParamsAndSecretsLayerVersion;
  /** Overrides of the bundling options (tests). @default idsyncBundling() */
  readonly bundling?: nodejs.BundlingOptions;
  /** Where package-lock.json is. @default the repository root */
  readonly projectRoot?: string;
  /**
   * A fixed name for the function's role, when a policy in another account must name it
   * (infra/stacks/identity-center-layout.ts). @default a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * One idsync job as a Lambda function: NodejsFunction bundled locally with esbuild (ESM,
 * minified, source maps), Node.js 24 on ARM64, its own log group with a retention, and its own
 * role that may only write to that log group until grants add more (no managed policies).
 */
export class IdsyncFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IdsyncFunctionProps) {
    super(scope, id);
    const root = props.projectRoot ?? REPO_ROOT;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `idsync ${props.job} function`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? defaultEntry(props.job, root),
      handler: 'handler',
      runtime: IDSYNC_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      role: this.role,
      logGroup: this.logGroup,
      description: `idsync ${props.job}`,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      bundling: props.bundling ?? idsyncBundling(),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
    });
    this.logGroup.grantWrite(this.role);
  }
}
