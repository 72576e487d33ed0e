import type { QuickSightDeleter } from '../../shared/aws/quicksight-users.js';
import type { Removal } from '../../shared/domain.js';
import type { SnapshotManifest, SnapshotRows } from '../../shared/dynamo/snapshot-store.js';
import type { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import type { Logger } from '../../shared/logger.js';
import type { Task } from '../../shared/task.js';
import type { InactiveOptions, InactiveResult } from './idle/run-inactive.js';
import type { GuardOverride } from './plan/guard.js';
import type { PlanRunResult } from './plan/run-plan.js';
import type { AttemptPolicy } from './worker/pacing/call-pacing.js';
import type { WorkerSummary } from './worker/progress.js';

/**
 * The front door of the removals module: what every command and Lambda handler may use of it.
 * The module is built once per process by `composeRemovals` (./compose-removals.ts); a dry-run
 * composition plans without queuing and applies by listing, so no call below takes a dry-run
 * flag. Everything else under services/removals/ is the module's inside (test/architecture.test.ts).
 */

export type { InactiveSelection } from './idle/inactive-removals.js';
export type { InactiveResult } from './idle/run-inactive.js';
export { describeWindow, type GuardOverride } from './plan/guard.js';
export type { PlanRunResult } from './plan/run-plan.js';
export type { WorkerSummary } from './worker/progress.js';

/** What to plan: the leavers (and pending DeleteUser events) of the snapshot, or given people. */
export type PlanRequest = {
  /** The run id of the plan's audit rows and tasks. */
  readonly runId: string;
  /** `--max-deletions N` / `--allow-emptied-groups` for this run. */
  readonly override?: GuardOverride;
  /** This call's logger (a Lambda invocation's, with its request id); default the module's. */
  readonly logger?: Logger;
} & (
  | { readonly kind: 'leavers' }
  /** A CSV's rows, resolved DeleteUser events or the idle selection: no leavers. */
  | { readonly kind: 'removals'; readonly removals: readonly Removal[] }
  /**
   * These removals put up for an operator's approval (the monthly review, services/review/):
   * no leavers, no task queued (the review writes its own, AWAITING_APPROVAL), the guard's
   * per-run limits give way to the approval of the whole list, the decisions dated `at`; with
   * `audit: false` (the review's dry run) not even the decisions' audit rows are written.
   */
  | {
      readonly kind: 'review';
      readonly removals: readonly Removal[];
      readonly at: Date;
      readonly audit: boolean;
    }
);

/** How the port calls of one apply are watched (the worker Lambda's SQS batch answer). */
export interface ApplyObserver {
  taskStore(tasks: DynamoTaskStore, named: readonly Task[]): ApplyTaskStore;
  deletes(port: QuickSightDeleter, named: readonly Task[]): QuickSightDeleter;
}

export type ApplyTaskStore = Pick<
  DynamoTaskStore,
  'claimable' | 'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'block' | 'defer'
>;

/**
 * Which queued tasks an apply runs: `queued`, every claimable task (tasks leased by another
 * worker waited for, or only reported); `planned`, the tasks one plan of this process queued (or
 * found queued by a killed run); `run`, the tasks of one plan run, however old, and some more; `tasks`, these tasks only (the worker Lambda's batch), watched
 * by `observer`.
 */
export type ApplyScope = {
  /** The run id of the outcome rows. */
  readonly runId: string;
  /** `--max-deletions N`: release BLOCKED tasks (of the scope) and allow N beyond the window. */
  readonly release?: number;
  readonly signal?: AbortSignal;
  /** This call's logger (a Lambda invocation's, with its request id); default the module's. */
  readonly logger?: Logger;
} & (
  | { readonly kind: 'queued'; readonly leased: 'wait' | 'report' }
  | { readonly kind: 'planned'; readonly plan: PlanRunResult }
  /** The tasks of plan run `of` and these tasks (a review's approved removals), leased waited for. */
  | { readonly kind: 'run'; readonly of: string; readonly alsoTaskIds: readonly string[] }
  | {
      readonly kind: 'tasks';
      readonly tasks: readonly Task[];
      readonly observer?: ApplyObserver;
      readonly backoff?: Partial<Pick<AttemptPolicy, 'baseMs' | 'capMs'>>;
    }
);

/** An apply's outcome: the worker's summary, or (dry run) the tasks it would run. */
export type Applied =
  | { readonly dryRun: false; readonly summary: WorkerSummary }
  | { readonly dryRun: true; readonly tasks: readonly Task[] };

export interface PlannedAndApplied {
  readonly plan: PlanRunResult;
  /** Absent after a dry-run plan or a tripped guard: nothing ran. */
  readonly summary?: WorkerSummary;
}

export interface Removals {
  /** Whether this composition is a dry run: it queues nothing and deletes nothing. */
  readonly dryRun: boolean;
  /**
   * The snapshot this process has just taken (`idsync reconcile`), with the rows it listed: while
   * it is the newest COMPLETE one, the selection, the plan and the worker read none of them back.
   */
  handOverSnapshot(manifest: SnapshotManifest, rows: SnapshotRows): void;
  /** Plans against the newest COMPLETE snapshot (read once per process, see compose-removals.ts). */
  plan(request: PlanRequest): Promise<PlanRunResult>;
  /** Runs the scope's tasks through the paced worker; a dry run lists them instead. */
  apply(scope: ApplyScope): Promise<Applied>;
  /**
   * Plans, then (not a dry run, guard not tripped) applies the plan's own tasks. `beforeApply`
   * runs once the tasks are queued, before the worker takes them.
   */
  run(
    request: PlanRequest,
    options?: { readonly beforeApply?: () => Promise<void> },
  ): Promise<PlannedAndApplied>;
  /**
   * The idle-Reader selection of `idsync inactive` (its removals go to `plan`), from the same
   * reading of the newest COMPLETE snapshot as the plan and the worker.
   */
  selectIdle(options: Omit<InactiveOptions, 'namespace'>): Promise<InactiveResult>;
  /** Closes the clients the module made (the QuickSight client); the caller's stores stay open. */
  close(): void;
}
