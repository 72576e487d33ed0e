import type { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import type { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { GroupMemberWrites } from '../../../shared/google/google-group-members.js';
import type { Logger } from '../../../shared/logger.js';
import type { QuickSightPort } from '../../../shared/ports.js';
import type { Task } from '../../../shared/task.js';
import type { HandOverAssets } from './handover-port.js';
import type { AttemptPolicy, Pacer } from './pacing/call-pacing.js';
import type { ProgressReporter } from './progress.js';

/** What the worker needs from the outside world, and how it is told to run (./run-worker.ts). */

export type WorkerPacer = Pick<Pacer, 'acquire' | 'onSuccess' | 'onThrottle' | 'onError' | 'stats'>;
export type WorkerTaskStore = Pick<
  DynamoTaskStore,
  'claimable' | 'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'block'
> &
  /**
   * `leased`: the tasks of the run's scope held under a live lease (absent: the run never waits).
   * `defer`: gives a task back unrun (absent: `release` does).
   */
  Partial<Pick<DynamoTaskStore, 'leased' | 'defer'>>;
/**
 * A last check before a task's first call: 'skip' cancels it (e.g. the person re-joined, is
 * protected now, or an idle user was active again); `block` keeps it BLOCKED (the guard window's
 * budget is spent); `defer` gives it back PENDING for a later run, no attempt used (it cannot be
 * judged now, e.g. the activity record is stale).
 */
export type BeforeDelete = (
  task: Task,
) => Promise<'proceed' | 'skip' | { skip: string } | { block: string } | { defer: string }>;

export interface WorkerDeps {
  readonly tasks: WorkerTaskStore;
  /** `append` for failed outcomes; `appendOnce` for a task execution's one final row. */
  readonly audit: Pick<DynamoAuditLog, 'append' | 'appendOnce'>;
  /** Deletes, and role changes (`updateUserRole`; absent: a `change_role` task fails). */
  readonly quickSight: Pick<QuickSightPort, 'deleteUser' | 'deleteUserByPrincipalId'> &
    Partial<Pick<QuickSightPort, 'updateUserRole'>>;
  readonly pacer: WorkerPacer;
  /**
   * The QuickSight scope of a task (`Task.scope`, shared/quicksight-scopes.ts): its account's
   * deletes (that account's client and role, the task's namespace) and that account's pacer
   * (QuickSight's rate limits are per account). Undefined: the task's scope is not configured,
   * and it is not called. Absent: every task is the home scope's (`quickSight`, `pacer`).
   */
  readonly scopeOf?: (task: Task) => TaskScope | undefined;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Epoch ms; default Date.now. */
  readonly clock?: { now(): number };
  readonly progress?: ProgressReporter;
  readonly beforeDelete?: BeforeDelete;
  /**
   * Hands the user's assets over before a task that needs it (shared/removal-rules.ts,
   * `needsHandover`); `deferred` (or an error) gives the task back unrun. Absent: no handover.
   */
  readonly handOver?: HandOverAssets;
  /**
   * Whether a deletion of a user whose role cannot own still needs the handover: the record shows
   * the user held a role that can (shared/removal-rules.ts, `mayStillOwnAssets`). An error
   * counts as yes (the handover's own search then decides). Absent: only the role decides.
   */
  readonly heldOwningRole?: (task: Task) => Promise<boolean>;
  readonly random?: () => number;
  /**
   * `leave_group` tasks' Google call (Directory API `members.delete`, shared/google/) and its own
   * pacer (Google's quota is not QuickSight's). Absent (no IDSYNC_GOOGLE_GROUP_WRITE writer in this
   * process): such tasks are deferred, never run.
   */
  readonly groupMembers?: {
    readonly writer: Pick<GroupMemberWrites, 'removeMember'>;
    readonly pacer: WorkerPacer;
  };
}

/** A task's QuickSight deletes and pacer (WorkerDeps.scopeOf). */
export interface TaskScope {
  readonly quickSight: WorkerDeps['quickSight'];
  readonly pacer: WorkerPacer;
}

export interface WorkerOptions {
  /** Run id of the audit rows (the apply run). */
  readonly runId: string;
  /** Ceiling on tasks at work at once (IDSYNC_CONCURRENCY). */
  readonly concurrency: number;
  /** Lease of a claimed task, short: renewed by the heartbeat while the task is at work. */
  readonly leaseMs: number;
  /** Heartbeat period: a quarter of the lease by default. */
  readonly heartbeatMs?: number;
  /**
   * Tasks of the scope leased by another worker: 'wait' for them (until their leases as first
   * seen run out) and take them over, or only 'report' them. Either way the summary then counts
   * what is left (pending or leased). Unset (the Lambda, whose queue delivers again): neither.
   */
  readonly leased?: 'wait' | 'report';
  /** Calls per task in this run, the first included. */
  readonly maxAttempts: number;
  /** Lease owner id, unique per worker process (see `workerOwnerId`). */
  readonly owner: string;
  readonly signal?: AbortSignal;
  /** Retry delays (base and cap); default DEFAULT_ATTEMPT_POLICY's. */
  readonly backoff?: Partial<Pick<AttemptPolicy, 'baseMs' | 'capMs'>>;
}

/** `<host>:<pid>:<runId>`: unique per process and run. */
export function workerOwnerId(host: string, pid: number, runId: string): string {
  return `${host}:${pid}:${runId}`;
}
