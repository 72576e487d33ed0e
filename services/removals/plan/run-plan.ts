import type { PlanConfig } from '../../../shared/config/index.js';
import type {
  Decision,
  LedgerEntry,
  Plan,
  QuickSightUser,
  Removal,
} from '../../../shared/domain.js';
import type { AuditRecord, DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import type { DynamoEventStore } from '../../../shared/dynamo/event-store.js';
import type { DynamoGuardWindow } from '../../../shared/dynamo/guard-table-store.js';
import type { DynamoLedger } from '../../../shared/dynamo/ledger-store.js';
import type {
  DynamoSnapshotStore,
  SnapshotManifest,
} from '../../../shared/dynamo/snapshot-store.js';
import type { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { PartialSnapshotError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import {
  addMemberGroup,
  buildProtection,
  isMemberAgain,
  REJOINED_REASON,
  windowAllowance,
} from '../../../shared/removal-rules.js';
import { diffSnapshots, type SnapshotDiff } from './diff.js';
import {
  applyWindow,
  describeWindow,
  emptiedGroups,
  type GuardOverride,
  type GuardWindowView,
  holdsTrippedPlan,
} from './guard.js';
import { countDecisions, findLeavers, planRemovals } from './plan-removals.js';
import { type QueuedTasks, queueAllOrNone } from './queue-tasks.js';
import { planRoleChanges, unlistedMappedGroups } from './role-changes.js';

export interface PlanDeps {
  readonly snapshots: Pick<
    DynamoSnapshotStore,
    'latestComplete' | 'googleRows' | 'quickSightUsers'
  >;
  readonly ledger: Pick<DynamoLedger, 'entries'>;
  readonly events: Pick<DynamoEventStore, 'pending' | 'markPlanned'>;
  readonly tasks: Pick<DynamoTaskStore, 'enqueue' | 'cancel' | 'byStatus' | 'withdraw'>;
  /** The cross-run guard window (read only: the worker reserves). Absent: budget not shown. */
  readonly guardWindow?: Pick<DynamoGuardWindow, 'usage'>;
  readonly audit: Pick<DynamoAuditLog, 'appendBatched'>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /**
   * The handover's view (services/removals/handover/handover-planning.ts): a `delete` of a user who owns
   * assets alone and has no usable successor becomes `deferred`. Absent: decisions as planned.
   */
  readonly handoverView?: (decisions: readonly Decision[]) => Promise<Decision[]>;
}

export interface PlanOptions {
  readonly runId: string;
  readonly namespace: string;
  /** IDSYNC_QUICKSIGHT_ACCOUNT_ID: the guard also applies per QuickSight account (plan/guard.ts, `applyAccountGuards`). */
  readonly homeAccountId?: string;
  readonly settings: PlanConfig;
  readonly override?: GuardOverride;
  /** Level-triggered leavers (ledger vs. newest COMPLETE snapshot) and pending DeleteUser events. */
  readonly includeLeavers: boolean;
  /** Explicit removals (CSV, events handled in this run). */
  readonly extraRemovals?: readonly Removal[];
  /** Write a task per `delete` and cancel the pending tasks of people who are members again. */
  readonly persistTasks: boolean;
}

export interface PlanRunResult {
  readonly runId: string;
  readonly snapshot: SnapshotManifest;
  readonly plan: Plan;
  /** Between the two newest COMPLETE snapshots, when there are two. */
  readonly diff?: SnapshotDiff;
  readonly currentMembers: number;
  readonly quickSightUsers: number;
  /** Leavers (ledger only) who hold no QuickSight user any more: nothing to do, not listed. */
  readonly settledLeavers: number;
  /** The cross-run guard window's budget as this plan saw it. */
  readonly window?: GuardWindowView;
  readonly tasks: QueuedTasks;
  /**
   * Role follows group (IDSYNC_GROUP_ROLES): what the plan says beside its decisions (IAM
   * Identity Center users whose role differs from their groups', mapped groups not listed).
   */
  readonly roleNotes?: readonly string[];
}

/**
 * The newest COMPLETE snapshot's members and QuickSight users: what every plan decides from.
 * `manifests` are the two newest COMPLETE snapshots when the caller has just asked for them.
 */
export async function loadPlanningState(
  snapshots: PlanDeps['snapshots'],
  manifests?: readonly SnapshotManifest[],
) {
  const [latest, previous] = manifests ?? (await snapshots.latestComplete(2));
  if (!latest) {
    throw new PartialSnapshotError(
      'no COMPLETE snapshot yet: run idsync snapshot first (nothing is decided without one)',
    );
  }
  const memberGroups = new Map<string, string[]>();
  const members = async (runId: string, groups?: Map<string, string[]>) => {
    const out = new Set<string>();
    for await (const page of snapshots.googleRows(runId))
      for (const row of page) {
        out.add(row.email);
        if (groups) addMemberGroup(groups, row);
      }
    return out;
  };
  const currentMembers = await members(latest.runId, memberGroups);
  for (const list of memberGroups.values()) list.sort();
  const quickSightUsers: QuickSightUser[] = [];
  for await (const page of snapshots.quickSightUsers(latest.runId)) quickSightUsers.push(...page);
  const diff = previous ? diffSnapshots(await members(previous.runId), currentMembers) : undefined;
  const emptied = previous
    ? emptiedGroups(previous.sources.google?.groups ?? {}, latest.sources.google?.groups ?? {})
    : Object.entries(latest.sources.google?.groups ?? {})
        .filter(([, n]) => n === 0)
        .map(([g]) => g);
  return { latest, previous, currentMembers, memberGroups, quickSightUsers, diff, emptied };
}

export type PlanningState = Awaited<ReturnType<typeof loadPlanningState>>;

/**
 * Plans a run: leavers (level-triggered) + pending DeleteUser events + explicit removals, matched
 * to QuickSight users of the newest COMPLETE snapshot, decided and guarded. Every decision gets an
 * audit row; with `persistTasks`, every `delete` becomes a durable task (idempotent per QuickSight
 * user) and pending tasks of people back in a group are cancelled. Changes nothing in QuickSight.
 */
export async function runPlan(
  deps: PlanDeps,
  options: PlanOptions,
  /** The newest COMPLETE snapshot as already read in this process (read here when absent). */
  loaded?: PlanningState,
): Promise<PlanRunResult> {
  const now = deps.now ?? (() => new Date());
  const state = loaded ?? (await loadPlanningState(deps.snapshots));
  const removals: Removal[] = [...(options.extraRemovals ?? [])];
  const pendingEvents = options.includeLeavers ? await deps.events.pending() : [];
  if (options.includeLeavers) {
    const ledger: LedgerEntry[] = [];
    for await (const page of deps.ledger.entries()) ledger.push(...page);
    removals.push(
      ...findLeavers({
        ledger,
        currentMembers: state.currentMembers,
        quickSightUsers: state.quickSightUsers,
        ...(options.settings.managedUsernamePrefix
          ? { managedUsernamePrefix: options.settings.managedUsernamePrefix }
          : {}),
      }),
    );
    for (const e of pendingEvents) {
      if (!e.email) continue;
      removals.push({
        email: e.email,
        source: 'deleted_event',
        ...(e.userId ? { userId: e.userId } : {}),
        since: e.eventTime,
        detail: `IdC user ${e.userId} deleted at ${e.eventTime}`,
      });
    }
  }
  const roles = options.includeLeavers ? roleChangesOf(state, options.settings) : undefined;
  if (roles && roles.notes.length > 0)
    deps.logger.info(
      { runId: options.runId, notes: roles.notes.length },
      'role follows group: notes',
    );
  const planned = planRemovals({
    removals,
    quickSightUsers: state.quickSightUsers,
    currentMembers: state.currentMembers,
    currentMembersAsOf: state.latest.startedAt,
    memberGroups: state.memberGroups,
    now: now(),
    protectedRoles: options.settings.protectedRoles,
    protectedUsers: options.settings.protectedUsers,
    groupWrite: options.settings.googleGroupWrite === true,
    guard: {
      maxDeletions: options.settings.maxDeletions,
      maxDeletionPercent: options.settings.maxDeletionPercent,
      ...(options.override ? { override: options.override } : {}),
      emptiedGroups: state.emptied,
      ...(options.homeAccountId ? { homeAccountId: options.homeAccountId } : {}),
    },
    ...(roles ? { roleChanges: roles.decisions } : {}),
  });
  // Leavers found by the ledger alone who hold no QuickSight user any more are settled: they are
  // looked at every run (level-triggered) but not reported again and again.
  const kept = planned.decisions.filter(
    (d) => !(d.decision === 'not_found' && d.sources.every((s) => s === 'group_removal')),
  );
  const decisions = deps.handoverView ? await deps.handoverView(kept) : kept;
  let window: GuardWindowView | undefined;
  let windowed = decisions;
  if (deps.guardWindow && !planned.guard.tripped) {
    const { used } = await deps.guardWindow.usage(now().getTime());
    const limit = options.settings.maxDeletions;
    const hours = options.settings.guardWindowHours;
    const remaining = windowAllowance(
      { limit, override: options.override?.maxDeletions ?? 0 },
      used,
    );
    const applied = applyWindow(decisions, remaining, { used, limit, hours });
    windowed = applied.decisions;
    window = { used, limit, hours, blocked: applied.blocked };
  }
  const plan: Plan = { ...planned, decisions: windowed, counts: countDecisions(windowed) };
  const settledLeavers = planned.decisions.length - decisions.length;
  const at = now().toISOString();
  const windowText = window ? describeWindow(window) : undefined;
  // A slice at a time: a plan of 300,000 CSV rows holds its decisions, not also 300,000 rows.
  // Batched (BatchWriteItem): each decision row has a fresh key of this run, so a call sent
  // again writes the same row again, never a second one (DynamoAuditLog.appendBatched).
  for (let i = 0; i < plan.decisions.length; i += AUDIT_SLICE) {
    await deps.audit.appendBatched(
      plan.decisions
        .slice(i, i + AUDIT_SLICE)
        .map((d) => decisionRow(options.runId, at, d, windowText)),
    );
  }

  let tasks: PlanRunResult['tasks'] = {
    created: 0,
    existing: 0,
    cancelled: 0,
    blocked: 0,
    createdTaskIds: [],
  };
  if (options.persistTasks) {
    // A guard trip on the number of deletions leaves them held (BLOCKED), never silent.
    const held = holdsTrippedPlan(plan.guard, state.emptied, options.override);
    if (!plan.guard.tripped || held)
      tasks = await queueAllOrNone(deps, options, plan.decisions, state.latest.startedAt, held);
    const cancelled = await cancelRejoined(deps, state.currentMembers, state.latest.startedAt);
    tasks = { ...tasks, cancelled };
    // Events count as planned only when their deletions were queued (not when the guard tripped).
    if (!plan.guard.tripped) {
      for (const e of pendingEvents) await deps.events.markPlanned(e.eventId, options.runId);
    }
  }
  deps.logger.info(
    {
      runId: options.runId,
      snapshot: state.latest.runId,
      counts: plan.counts,
      guard: plan.guard.tripped,
      tasks,
    },
    'plan made',
  );
  return {
    runId: options.runId,
    snapshot: state.latest,
    plan,
    ...(state.diff ? { diff: state.diff } : {}),
    currentMembers: state.currentMembers.size,
    settledLeavers,
    quickSightUsers: state.quickSightUsers.length,
    ...(window ? { window } : {}),
    tasks,
    ...(roles && roles.notes.length > 0 ? { roleNotes: roles.notes } : {}),
  };
}

/**
 * Role follows group for the plans that look at the whole snapshot (leavers): nothing when
 * IDSYNC_GROUP_ROLES is unset, and no change at all when the snapshot did not list a mapped group.
 */
function roleChangesOf(state: PlanningState, settings: PlanConfig) {
  const groupRoles = settings.groupRoles;
  if (!groupRoles || groupRoles.size === 0) return undefined;
  const unlisted = unlistedMappedGroups(groupRoles, state.latest.sources.google?.groups);
  if (unlisted.length > 0)
    return {
      decisions: [],
      notes: [
        `no role changed: the snapshot did not list ${unlisted.join(', ')} of IDSYNC_GROUP_ROLES (add them to IDSYNC_GOOGLE_GROUPS)`,
      ],
    };
  return planRoleChanges({
    quickSightUsers: state.quickSightUsers,
    memberGroups: state.memberGroups,
    groupRoles,
    protection: buildProtection(settings.protectedRoles, settings.protectedUsers),
    ...(settings.prices ? { prices: settings.prices } : {}),
  });
}

/** Decisions whose audit rows are built and written at a time. */
const AUDIT_SLICE = 1_000;

/** Cancels every pending task whose person is a member again (re-joined before it ran). */
async function cancelRejoined(
  deps: Pick<PlanDeps, 'tasks'>,
  members: ReadonlySet<string>,
  membersAsOf: string,
): Promise<number> {
  let cancelled = 0;
  for (const status of ['PENDING', 'FAILED', 'BLOCKED'] as const) {
    for await (const page of deps.tasks.byStatus(status)) {
      for (const task of page) {
        // Membership counts as re-joining only when the snapshot was taken after the task was
        // queued: a DeleteUser event handled before the next snapshot is not undone by it.
        if (
          isMemberAgain(task, members, membersAsOf) &&
          (await deps.tasks.cancel(task.taskId, REJOINED_REASON))
        ) {
          cancelled++;
        }
      }
    }
  }
  return cancelled;
}

export function decisionRow(
  runId: string,
  at: string,
  d: Decision,
  guardWindow?: string,
): AuditRecord {
  const user = d.quickSightUser;
  return {
    runId,
    at,
    kind: 'decision',
    email: d.email,
    source: d.source,
    decision: d.decision,
    reason: d.reason,
    ...(d.userId ? { userId: d.userId } : {}),
    ...(user ? { userName: user.userName, role: user.role } : {}),
    ...(user?.scope === undefined ? {} : { scope: user.scope }),
    ...(user || guardWindow
      ? {
          detail: {
            ...(user ? { arn: user.arn, identityType: user.identityType, sources: d.sources } : {}),
            ...(d.detail ? { seen: d.detail } : {}),
            ...(d.member ? { member: true } : {}),
            ...(d.seatEndsOn ? { seatEndsOn: d.seatEndsOn } : {}),
            ...(d.leaveGroups ? { leaveGroups: d.leaveGroups } : {}),
            ...(d.group ? { group: d.group } : {}),
            ...(d.targetRole ? { targetRole: d.targetRole } : {}),
            ...(d.monthlyChange !== undefined ? { monthlyChange: d.monthlyChange } : {}),
            ...(guardWindow ? { guardWindow } : {}),
          },
        }
      : {}),
  };
}
