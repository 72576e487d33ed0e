import { createSqsClient } from '../../shared/aws/clients.js';
import type { TaskQueuePort } from '../../shared/aws/sqs-task-messages.js';
import { workerQueue } from '../../shared/aws/sqs-task-queue.js';
import { buildIdentityStore, buildStores, type Stores } from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import { describeError, PartialSnapshotError, RemoteServiceError } from '../../shared/errors.js';
import {
  type Invocation,
  type LambdaOptions,
  lambdaHandler,
} from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import type { MetricName } from '../../shared/metrics.js';
import type { IdentityStorePort } from '../../shared/ports.js';
import { newRunId } from '../../shared/run-id.js';
import { composeRemovals } from '../removals/compose-removals.js';
import type { Removals } from '../removals/removals.js';
import { type EventStatus, eventTrustOf, handleEvents, markEventsPlanned } from './run-events.js';

/**
 * The event handler Lambda: wiring only. EventBridge delivers one CloudTrail IdC user event
 * (DeleteUser, CreateUser, PutUser, PatchUser); `handleEvents` parses it with the CLI's code,
 * resolves a DeleteUser through the identity map and refreshes the map on the others. The
 * removals are planned as `idsync handle-event` plans them (no leavers, guard and guard window
 * applied), their tasks are persisted, and exactly the PENDING tasks this plan created are sent
 * to the worker queue (no listing of the backlog); the worker's IDSYNC_APPLY is the dry-run
 * switch. Only genuine events act (source, account, identity store; see run-events.ts), and a
 * DeleteUser only after IdentityStore confirms the user is gone.
 *
 * Bad input never throws: it ends as a `rejected` outcome with an audit row. A storage or
 * IdentityStore failure does throw, after the outcomes are audited, so the asynchronous
 * invocation is retried (and parked in the FailedEvents queue after the retries); the events
 * table deduplicates by eventID, so a retry never handles an event twice.
 */

const SECTIONS = ['identityStore', 'quicksight', 'plan', 'lambda'] as const;
type EventsConfig = ConfigFor<(typeof SECTIONS)[number]>;

export interface EventsHandlerOptions extends LambdaOptions {
  /** Where task messages go; default SQS at IDSYNC_WORKER_QUEUE_URL. Tests pass memory. */
  readonly queue?: TaskQueuePort;
}

interface EventsDeps {
  readonly stores: Stores;
  readonly removals: Removals;
  readonly identityStore: IdentityStorePort;
  readonly queue: TaskQueuePort;
}

function buildDeps(
  config: EventsConfig,
  logger: Logger,
  options: EventsHandlerOptions,
): EventsDeps {
  const stores = buildStores(config);
  return {
    stores,
    // The events function queues the tasks of its removals; the worker function applies them.
    removals: composeRemovals(config, { stores, logger }, { dryRun: false }),
    identityStore: buildIdentityStore(config, logger).port,
    queue: workerQueue(config.lambda, () => createSqsClient(config.aws), options.queue),
  };
}

/** `port` with every method call's failure noted in `failures` (and still thrown). */
function noteFailures<T extends object>(port: T, failures: unknown[]): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          failures.push(error);
          throw error;
        }
      };
    },
  });
}

export interface EventsHandlerSummary {
  readonly runId: string;
  readonly outcomes: Partial<Record<EventStatus, number>>;
  /** Removals planned (resolved DeleteUser events). */
  readonly removals: number;
  readonly guardTripped: boolean;
  /** Task messages sent to the worker queue. */
  readonly announced: number;
}

/** Builds the handler; `env` is the Lambda's environment, passed in at the edge (below). */
export function createEventsHandler(env: Env, options: EventsHandlerOptions = {}) {
  return lambdaHandler(
    {
      name: 'events',
      sections: SECTIONS,
      parse: (event: unknown) => event,
      build: (config, logger) => buildDeps(config, logger, options),
      run: handleInvocation,
    },
    env,
    options,
  );
}

async function handleInvocation(
  event: unknown,
  { config, deps, logger, metrics: emitMetrics }: Invocation<EventsConfig, EventsDeps>,
): Promise<EventsHandlerSummary> {
  const { stores, removals, identityStore, queue } = deps;
  const runId = newRunId();
  const failures: unknown[] = [];
  const handled = await handleEvents(
    {
      trust: eventTrustOf(config),
      events: noteFailures(stores.events, failures),
      identities: noteFailures(stores.identities, failures),
      identityStore: noteFailures(identityStore, failures),
      audit: stores.audit,
      logger,
    },
    JSON.stringify(event ?? null),
    runId,
  );
  const outcomes: Partial<Record<EventStatus, number>> = {};
  for (const o of handled.outcomes) outcomes[o.status] = (outcomes[o.status] ?? 0) + 1;
  const metrics: Partial<Record<MetricName, number>> = {
    UnresolvedEvents: outcomes.unresolved ?? 0,
  };

  let guardTripped = false;
  let announced = 0;
  if (handled.removals.length > 0) {
    try {
      const plan = await removals.plan({
        kind: 'removals',
        runId,
        logger,
        removals: handled.removals,
      });
      guardTripped = plan.plan.guard.tripped || plan.tasks.blocked > 0;
      metrics.GuardTripped = guardTripped ? 1 : 0;
      if (!plan.plan.guard.tripped) {
        await markEventsPlanned(stores.events, handled.outcomes, runId);
        // Exactly the tasks this plan created go to the worker (no listing of the backlog).
        const created = plan.tasks.createdTaskIds;
        await queue.send(created.map((taskId) => ({ taskId, runId })));
        announced = created.length;
      }
    } catch (error) {
      // No COMPLETE snapshot yet: the events stay PENDING; the first scheduled plan takes them.
      if (!(error instanceof PartialSnapshotError)) throw error;
      logger.warn({ runId, error: error.message }, 'removals left for the scheduled plan');
    }
  }
  const summary = { runId, outcomes, removals: handled.removals.length, guardTripped, announced };
  emitMetrics(metrics, summary, 'events metrics');
  if (failures.length > 0) {
    throw new RemoteServiceError(
      'idsync storage',
      `${failures.length} call(s) failed while handling the event (${describeError(failures[0])}); retry`,
      { cause: failures[0], retryable: true },
    );
  }
  return summary;
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createEventsHandler(process.env);
