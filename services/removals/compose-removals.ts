import type { Writable } from 'node:stream';
import type { AssetOwnership } from '../../shared/aws/quicksight-assets.js';
import type { QuickSightDeleter } from '../../shared/aws/quicksight-users.js';
import type { Stores } from '../../shared/clients-from-config.js';
import { type Config, guardWindowMs } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoGuardWindow, DynamoPaceStore } from '../../shared/dynamo/guard-table-store.js';
import type { GroupMemberWrites } from '../../shared/google/google-group-members.js';
import type { ManagerLookup } from '../../shared/google/google-managers.js';
import type { Logger } from '../../shared/logger.js';
import { dryRunLine } from './dry-run-line.js';
import { createHandOverAssets } from './handover/hand-over-assets.js';
import {
  handoverWiring,
  heldOwningRoleByRecord,
  leavingByTasks,
} from './handover/handover-planning.js';
import { selectInactiveUsers } from './idle/run-inactive.js';
import { runPlan } from './plan/run-plan.js';
import type { Applied, ApplyScope, PlanRequest, Removals } from './removals.js';
import { SnapshotReading } from './snapshot-reading.js';
import { createBeforeDelete, type IdleChecks } from './worker/delete-checks.js';
import { createWorkerPacer } from './worker/pacing/call-pacing.js';
import { createProgressReporter } from './worker/progress.js';
import { runWorker } from './worker/run-worker.js';
import {
  AccountPacers,
  configuredScopes,
  type ScopeClients,
  scopedHandOver,
  scopeOfTask,
  scopeRouting,
} from './worker/task-scopes.js';
import {
  claimableTasks,
  onlyTasks,
  scopeFilter,
  stopSignal,
  unblockTasks,
  workerRunOptions,
} from './worker/work-queue.js';

/**
 * The one composition root of the removals module: every command (plan, reconcile, inactive,
 * remove, apply, handle-event) and every Lambda handler (plan, events, worker) builds the module
 * here, once per process (per container in Lambda), and then uses only its front door
 * (./removals.ts). What it holds for the process: the newest COMPLETE snapshot as read or as
 * handed over by the snapshot job of the same process (./snapshot-reading.ts), the worker's
 * pacers (the rate learned from throttling carries over; each account's starts from the pace it
 * served the last run, remembered in the guard table: ./worker/task-scopes.ts), the guard
 * window and the QuickSight deletes.
 *
 * Dry run is how the module is built: a dry-run composition plans without writing tasks (the
 * audit rows of its decisions are still written) and its `apply` lists the tasks it would run
 * (the worker Lambda's dry run logs each as ./dry-run-line.ts says: "dry run: would delete", or
 * would change the role, or would take the person out of the group); no QuickSight deletes are
 * ever made (the plan's handover view only reads: ./handover/handover-planning.ts).
 */

/** The `worker` section only where the process applies (the plan and events functions never do). */
export type RemovalsConfig = Pick<Config, 'core' | 'aws' | 'plan' | 'quicksight'> &
  Partial<Pick<Config, 'worker'>>;
export type IdleConfig = Pick<Config, 'inactive' | 'activity'>;
export type IdleNotices = NonNullable<IdleChecks['notices']>;

export interface RemovalsClients {
  readonly stores: Pick<
    Stores,
    'doc' | 'names' | 'snapshots' | 'ledger' | 'events' | 'tasks' | 'audit' | 'identities'
  >;
  readonly logger: Logger;
  /**
   * Builds the QuickSight deletes and the asset reads and grants of the handover (before a task
   * removes a user who can own assets) at the first apply that deletes; `close` at `close()`.
   * Absent where the process only plans (the plan and events functions).
   */
  readonly quickSight?: () => {
    readonly port: QuickSightDeleter;
    readonly assets: AssetOwnership;
    /**
     * The deletes and assets of the scope keyed `key` (absent: the home scope), in its account
     * with its role; undefined: not configured. Absent: every task is called through `port`.
     */
    readonly scoped?: (key: string | undefined) => ScopeClients | undefined;
    close(): void;
  };
  /**
   * Builds the Google member writes of `leave_group` tasks (IDSYNC_GOOGLE_GROUP_WRITE=on), at the
   * first such task. Absent, or the variable off: those tasks are deferred, never run.
   */
  readonly groupMembers?: () => Pick<GroupMemberWrites, 'removeMember'>;
  /**
   * IDSYNC_ASSET_SUCCESSOR=manager:…: a person's manager from the Google Directory, built at the
   * first handover that asks. Absent (the worker Lambda bundles no Google client): the fallback.
   */
  readonly managers?: () => ManagerLookup;
  /**
   * The plan's read-only view of the handover (services/removals/handover/handover-planning.ts), also in
   * a dry run: what owning users own alone, and whether a successor can take it. Absent (the plan
   * and events functions): the plan shows `delete` and the worker decides.
   */
  readonly assetReads?: () => { readonly assets: AssetOwnership; close(): void };
}

export interface RemovalsOptions {
  readonly dryRun: boolean;
  /**
   * The idle re-judge's settings; a function is called at the first apply (the CLI's lazy read).
   * Absent where the process only plans.
   */
  readonly idle?: IdleConfig | (() => IdleConfig);
  /**
   * Notices on (IDSYNC_NOTICE_FROM): the notice rule's days and the notices table, read by the
   * idle re-judge before an idle user is deleted; a function is called at the first apply.
   */
  readonly notices?: IdleNotices | (() => IdleNotices | undefined);
  /** The CLI: one catch-up of a stale activity record per apply, before idle tasks are judged. */
  readonly catchUp?: {
    readonly run: () => Promise<void>;
    readonly onError: (error: unknown) => void;
  };
  /** The CLI: a progress bar on a terminal, JSON progress records otherwise. */
  readonly progress?: { readonly tty: boolean; readonly stream: Writable };
  /** The CLI: SIGINT/SIGTERM during an apply stop it gracefully. */
  readonly stopOnSignals?: boolean;
}

const APPLY_ONLY = (what: string) =>
  `this removals module was composed to plan only: applying needs its ${what}`;

export function composeRemovals(
  config: RemovalsConfig,
  clients: RemovalsClients,
  options: RemovalsOptions,
): Removals {
  const { stores, logger } = clients;
  const reading = new SnapshotReading(stores.snapshots);
  const guard = new DynamoGuardWindow(stores.doc, stores.names.guard, guardWindowMs(config.plan));
  let pacers: AccountPacers | undefined;
  let groupPacer: ReturnType<typeof createWorkerPacer> | undefined;
  let groupWriter: Pick<GroupMemberWrites, 'removeMember'> | undefined;
  const groupMembers = config.plan.googleGroupWrite ? clients.groupMembers : undefined;
  let quickSight: ReturnType<NonNullable<RemovalsClients['quickSight']>> | undefined;
  let routing: ReturnType<typeof scopeRouting> | undefined;
  let idle: IdleChecks | undefined;
  const handover = handoverWiring(config.plan.assetSuccessor, clients, reading);
  const activity = new DynamoActivityStore(stores.doc, stores.names.activity);

  const idleChecks = (): IdleChecks => {
    if (idle) return idle;
    if (!options.idle) throw new Error(APPLY_ONLY('idle settings (inactive, activity)'));
    const c = typeof options.idle === 'function' ? options.idle() : options.idle;
    const notices = typeof options.notices === 'function' ? options.notices() : options.notices;
    idle = {
      settings: {
        days: c.inactive.days,
        roles: c.inactive.roles,
        maxLagMs: c.activity.maxLagMs,
        keepGroups: c.inactive.keepGroups,
      },
      namespace: config.quicksight.namespace,
      activity,
      identities: stores.identities,
      ...(notices ? { notices } : {}),
    };
    return idle;
  };

  const plan = async (request: PlanRequest) =>
    request.kind === 'review'
      ? runPlan(
          {
            ...stores,
            audit: request.audit ? stores.audit : { appendBatched: async () => [] },
            logger: request.logger ?? logger,
            now: () => request.at,
          },
          {
            runId: request.runId,
            namespace: config.quicksight.namespace,
            settings: config.plan,
            includeLeavers: false,
            extraRemovals: [...request.removals],
            persistTasks: false,
            // The approval is the operator's check of the whole list: the per-run limits of the
            // guard give way to it (the guard window still counts every deletion the worker makes).
            override: { maxDeletions: request.removals.length },
          },
          await reading.forPlan(),
        )
      : runPlan(
          {
            ...stores,
            logger: request.logger ?? logger,
            guardWindow: guard,
            ...handover.handoverView(),
          },
          {
            runId: request.runId,
            namespace: config.quicksight.namespace,
            homeAccountId: config.quicksight.accountId,
            settings: config.plan,
            ...(request.override ? { override: request.override } : {}),
            includeLeavers: request.kind === 'leavers',
            ...(request.kind === 'removals' ? { extraRemovals: request.removals } : {}),
            // A dry run queues nothing: it leaves no trace that changes a later run.
            persistTasks: !options.dryRun,
          },
          await reading.forPlan(),
        );

  const apply = async (scope: ApplyScope): Promise<Applied> => {
    const only = scopeFilter(scope);
    const log = scope.logger ?? logger;
    if (options.dryRun) {
      if (scope.kind === 'tasks') {
        for (const task of scope.tasks) {
          const { taskId, email, userName, role, reason, status } = task;
          log.info(
            { runId: scope.runId, taskId, email, userName, role, reason, status },
            dryRunLine(task),
          );
        }
        return { dryRun: true, tasks: scope.tasks };
      }
      return { dryRun: true, tasks: await claimableTasks(stores.tasks, only) };
    }
    // Released: the BLOCKED tasks of the scope (of the plan run itself, for a plan's own tasks).
    if (scope.release !== undefined)
      await unblockTasks(
        stores.tasks,
        scope.kind === 'planned'
          ? (t) => t.runId === scope.plan.runId
          : scope.kind === 'run'
            ? (t) => t.runId === scope.of
            : only,
      );
    const worker = config.worker;
    if (!worker) throw new Error(APPLY_ONLY('worker configuration section'));
    if (!clients.quickSight) throw new Error(APPLY_ONLY('QuickSight client'));
    pacers ??= new AccountPacers(
      new DynamoPaceStore(stores.doc, stores.names.guard),
      worker.rate,
      logger,
    );
    const accountPacers = pacers;
    const home = config.quicksight.accountId;
    await accountPacers.recall([home, ...config.quicksight.scopes.map((s) => s.accountId)]);
    // The home account's pacer, kept for the process like every account's (`AccountPacers`).
    const pacer = accountPacers.of(home);
    quickSight ??= clients.quickSight();
    if (groupMembers) groupPacer ??= createWorkerPacer(worker.rate);
    const beforeDelete = createBeforeDelete({
      settings: config.plan,
      snapshot: await reading.forWorker(),
      guard,
      idle: {
        ...idleChecks(),
        ...(options.catchUp
          ? { catchUp: options.catchUp.run, onCatchUpError: options.catchUp.onError }
          : {}),
      },
      ...(scope.release !== undefined ? { release: scope.release } : {}),
      ...(quickSight.scoped ? { scopes: configuredScopes(config) } : {}),
    });
    if (quickSight.scoped)
      routing ??= scopeRouting(quickSight, (account) => accountPacers.of(account));
    const scoped = routing;
    const stop = stopSignal(scope.signal, options.stopOnSignals === true);
    try {
      const summary = await runWorker(
        {
          tasks:
            scope.kind === 'tasks'
              ? (scope.observer?.taskStore(stores.tasks, scope.tasks) ??
                onlyTasks(stores.tasks, only))
              : onlyTasks(stores.tasks, only),
          audit: stores.audit,
          quickSight:
            scope.kind === 'tasks' && scope.observer
              ? scope.observer.deletes(quickSight.port, scope.tasks)
              : quickSight.port,
          pacer,
          // Each task in its own scope: its account's client, role and pacer, its namespace.
          ...(scoped
            ? {
                scopeOf: scopeOfTask(
                  scoped,
                  scope.kind === 'tasks' && scope.observer
                    ? (port, key) =>
                        scope.observer?.deletes(
                          port,
                          scope.tasks.filter((t) => t.scope === key),
                        ) ?? port
                    : undefined,
                ),
              }
            : {}),
          logger: log,
          ...(options.progress
            ? { progress: createProgressReporter({ ...options.progress, logger: log }) }
            : {}),
          beforeDelete,
          ...(groupMembers && groupPacer
            ? {
                groupMembers: {
                  // Built at the first group removal: a run without one reads no Google key.
                  writer: {
                    removeMember: (group: string, email: string) => {
                      groupWriter ??= groupMembers();
                      return groupWriter.removeMember(group, email);
                    },
                  },
                  pacer: groupPacer,
                },
              }
            : {}),
          // Before a task removes a user who can own assets: their assets go to the successor
          // (IDSYNC_ASSET_SUCCESSOR), or the task is deferred (./handover/hand-over-assets.ts).
          // Each scope's own: the successor and the assets in the task's account and namespace.
          handOver: scopedHandOver(
            quickSight,
            scoped,
            pacer,
            config.quicksight.namespace,
            (assets, assetPacer) =>
              createHandOverAssets({
                // Paced with the deletes: QuickSight's rate limits are the account's.
                assets: assets.withPacer?.(assetPacer) ?? assets,
                ...handover.successorSettings(),
                audit: stores.audit,
                // A co-owner whose own task is open is leaving too: shared assets are not orphaned.
                leaving: leavingByTasks(stores.tasks, config.quicksight.accountId),
                runId: scope.runId,
              }),
          ),
          // A Reader whose record shows authoring (an Author once) may still own assets.
          heldOwningRole: heldOwningRoleByRecord(activity, config.quicksight.namespace),
        },
        workerRunOptions({
          runId: scope.runId,
          worker,
          ...(stop.signal ? { signal: stop.signal } : {}),
          ...(scope.kind === 'queued' ? { leased: scope.leased } : {}),
          ...(scope.kind === 'planned' || scope.kind === 'run' ? { leased: 'wait' as const } : {}),
          ...(scope.kind === 'tasks' && scope.backoff ? { backoff: scope.backoff } : {}),
        }),
      );
      return { dryRun: false, summary };
    } finally {
      stop.done();
      // The pace each account served, for the next run's start (never fails the run).
      await accountPacers.remember();
    }
  };

  return {
    dryRun: options.dryRun,
    plan,
    apply,
    async run(request, runOptions = {}) {
      const planned = await plan(request);
      if (options.dryRun || planned.plan.guard.tripped) return { plan: planned };
      await runOptions.beforeApply?.();
      const applied = await apply({
        kind: 'planned',
        runId: request.runId,
        plan: planned,
        ...(request.override?.maxDeletions !== undefined
          ? { release: request.override.maxDeletions }
          : {}),
      });
      return { plan: planned, ...(applied.dryRun ? {} : { summary: applied.summary }) };
    },
    handOverSnapshot: (manifest, rows) => reading.handOver(manifest, rows),
    selectIdle: (idleOptions) =>
      selectInactiveUsers(
        {
          snapshots: reading.rows,
          ledger: stores.ledger,
          activity,
          identities: stores.identities,
        },
        {
          ...idleOptions,
          namespace: config.quicksight.namespace,
          homeAccountId: config.quicksight.accountId,
          scopes: config.quicksight.scopes,
        },
      ),
    close() {
      quickSight?.close();
      quickSight = undefined;
      routing = undefined;
      handover.close();
    },
  };
}
