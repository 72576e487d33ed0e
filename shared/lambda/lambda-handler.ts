import type { DestinationStream } from 'pino';
import { nameRoleSessions } from '../aws/role-session.js';
import { type ConfigFor, type Env, loadConfig } from '../config/index.js';
import type { Section } from '../config/variables.js';
import { createLogger, type Logger } from '../logger.js';
import { emfFields, type MetricName } from '../metrics.js';
import { deadlineSignal } from './deadline-signal.js';

/**
 * The one Lambda container set-up of idsync, shared by services/{snapshot,plan,worker,events}/
 * handler.ts. On the first invocation of a container it loads the configuration (the sections a
 * function asks for), makes the JSON logger and calls the function's `build` (its stores, clients
 * and other ports), then reuses them; a failed `build` is thrown (the function's Errors alarm)
 * and tried again by the next invocation. Each invocation gets a child logger carrying the Lambda
 * request id and whether this was the container's cold start, and a `metrics` helper that writes
 * the EMF log line (shared/metrics.ts), and `deadline(marginMs)`, the one way a handler stops
 * before the Lambda deadline (shared/lambda/deadline-signal.ts).
 */

/** The part of the Lambda context idsync reads. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

export interface LambdaOptions {
  /** Log destination (tests); default stderr (CloudWatch Logs), JSON lines. */
  readonly logDestination?: DestinationStream;
}

/** What one invocation gets: the container's config and ports, its own logger. */
export interface Invocation<C, D> {
  readonly config: C;
  readonly deps: D;
  /** Child logger: `requestId` and `coldStart` on every line. */
  readonly logger: Logger;
  readonly context: LambdaContext | undefined;
  /**
   * Aborts `marginMs` before this invocation's deadline (already aborted when no more is left);
   * without a Lambda context, `assumeRemainingMs` stands for the remaining time, or it never aborts.
   */
  deadline(marginMs: number, assumeRemainingMs?: number): AbortSignal;
  /** Writes the function's metrics as one EMF log line, with `fields` beside them. */
  metrics(values: Partial<Record<MetricName, number>>, fields: object, message: string): void;
}

export interface LambdaSpec<S extends Section, D, E, R> {
  /**
   * The function's job (`snapshot`, `worker`, …): each invocation names its role sessions
   * `idsync-<name>-<invocation id>` (shared/aws/role-session.ts). Default `lambda`.
   */
  readonly name?: string;
  /** The configuration sections the function reads (core and aws always). */
  readonly sections: readonly S[];
  /** Reads the event before the container is made: a bad event costs no set-up. */
  readonly parse: (event: unknown) => E;
  /** The container's ports, made once per container with the container's (base) logger. */
  readonly build: (config: ConfigFor<S>, logger: Logger) => D | Promise<D>;
  /** The function's job for one event. */
  readonly run: (event: E, invocation: Invocation<ConfigFor<S>, D>) => Promise<R>;
}

interface Container<C, D> {
  readonly config: C;
  readonly logger: Logger;
  readonly deps: D;
}

/** Builds a Lambda handler from its spec; `env` is the environment, read at the edge. */
export function lambdaHandler<S extends Section, D, E, R>(
  spec: LambdaSpec<S, D, E, R>,
  env: Env,
  options: LambdaOptions = {},
): (event: unknown, context?: LambdaContext) => Promise<R> {
  let container: Promise<Container<ConfigFor<S>, D>> | undefined;
  let coldStart = true;
  const start = async (): Promise<Container<ConfigFor<S>, D>> => {
    const config = loadConfig(spec.sections, env);
    const logger = createLogger({
      level: config.core.logLevel,
      ...(options.logDestination ? { destination: options.logDestination } : { pretty: false }),
    });
    return { config, logger, deps: await spec.build(config, logger) };
  };
  return async (event, context) => {
    const parsed = spec.parse(event);
    container ??= start().catch((error: unknown) => {
      container = undefined;
      throw error;
    });
    const { config, logger, deps } = await container;
    const roleSession = nameRoleSessions(spec.name ?? 'lambda');
    const child = logger.child({
      ...(config.aws.roles ? { roleSession } : {}),
      ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
      coldStart,
    });
    coldStart = false;
    return spec.run(parsed, {
      config,
      deps,
      logger: child,
      context,
      deadline: (marginMs, assumeRemainingMs) =>
        deadlineSignal(context, marginMs, assumeRemainingMs),
      metrics: (values, fields, message) =>
        child.info(
          { ...emfFields(config.core.tablePrefix, values, new Date()), ...fields },
          message,
        ),
    });
  };
}
