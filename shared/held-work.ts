import { releaseCommand } from './release-command.js';
import { isLeased, TASK_STATUSES, type Task } from './task.js';

/**
 * The removals that are not done yet, and which of them are *held*: written down, but waiting for
 * an operator, never for time. Held work is never silent: `idsync status` lists it, `apply` and
 * `reconcile` exit 3 naming it, and the plan Lambda publishes the HeldTasks metric (its alarm fires
 * when anything has been held for more than an hour). Pure, apart from `readWork`.
 *
 * Kinds of removal tasks (shared/task.ts):
 * - queued: PENDING, FAILED awaiting a retry, or IN_PROGRESS under an expired lease: the next
 *   `idsync apply` (or the worker Lambda) runs them;
 * - leased: IN_PROGRESS under a live lease: a worker is running them now;
 * - blocked: BLOCKED because the cross-run guard window's budget was spent (held);
 * - guard-held: BLOCKED because the guard stopped their whole plan, or their QuickSight account's
 *   writes (held, reason `guard tripped: …`);
 * - awaiting approval: AWAITING_APPROVAL, the monthly review's tasks (held), when that state exists.
 */

/** The start of a whole-plan guard trip's block reason (services/removals/plan/guard.ts, applyGuard). */
export const GUARD_TRIPPED_PREFIX = 'guard tripped: ';

/** A held task counts for the HeldTasks alarm once it has been held this long. */
export const HELD_ALARM_AFTER_MS = 60 * 60 * 1000;

export const WORK_KINDS = ['queued', 'leased', 'blocked', 'guardHeld', 'awaitingApproval'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** The kinds that wait for an operator. */
export const HELD_KINDS = [
  'blocked',
  'guardHeld',
  'awaitingApproval',
] as const satisfies readonly WorkKind[];

export const WORK_LABELS: Readonly<Record<WorkKind, string>> = {
  queued: 'queued',
  leased: 'leased (a worker is running them)',
  blocked: 'blocked (guard window budget spent)',
  guardHeld: 'held by the guard (whole plan or QuickSight account stopped)',
  awaitingApproval: 'awaiting approval (monthly review)',
};

/** The review's state, when the branch that adds it is merged; read by name so this works either way. */
const AWAITING_APPROVAL = 'AWAITING_APPROVAL';

/** One task as the status listing shows it. */
export interface WorkItem {
  readonly taskId: string;
  readonly kind: WorkKind;
  readonly email: string;
  readonly userName: string;
  readonly role: string;
  readonly source: string;
  /** The plan run that created the task. */
  readonly runId: string;
  /** When the task entered its current state (its last update), ISO. */
  readonly since: string;
  readonly why?: string;
}

export interface WorkGroup {
  readonly count: number;
  /** The oldest item's `since`, when there is one. */
  readonly oldest?: string;
  readonly items: readonly WorkItem[];
}

export interface WorkSummary {
  readonly at: string;
  readonly groups: Readonly<Record<WorkKind, WorkGroup>>;
  /** Tasks waiting for an operator (blocked + guard-held + awaiting approval). */
  readonly held: number;
  /** Held tasks whose state is older than HELD_ALARM_AFTER_MS: the HeldTasks metric. */
  readonly heldOverAnHour: number;
  /** Age in seconds of the oldest held task (0 when none). */
  readonly oldestHeldSeconds: number;
}

/** Which kind a live task is; undefined for DONE and CANCELLED. */
export function workKindOf(
  task: Pick<Task, 'status' | 'leaseUntil' | 'blockReason'>,
  nowMs: number,
): WorkKind | undefined {
  const status: string = task.status;
  if (status === 'BLOCKED')
    return task.blockReason?.startsWith(GUARD_TRIPPED_PREFIX) ? 'guardHeld' : 'blocked';
  if (status === AWAITING_APPROVAL) return 'awaitingApproval';
  if (status === 'PENDING' || status === 'FAILED') return 'queued';
  if (status === 'IN_PROGRESS') return isLeased(task, nowMs) ? 'leased' : 'queued';
  return undefined;
}

/** Groups live tasks by kind, oldest first, with the held counts the alarm and exit codes use. */
export function summarizeWork(tasks: readonly Task[], nowMs: number): WorkSummary {
  const items = new Map<WorkKind, WorkItem[]>(WORK_KINDS.map((k) => [k, []]));
  for (const t of tasks) {
    const kind = workKindOf(t, nowMs);
    if (kind === undefined) continue;
    const why = t.blockReason ?? t.lastError;
    items.get(kind)?.push({
      taskId: t.taskId,
      kind,
      email: t.email,
      userName: t.userName,
      role: t.role,
      source: t.source,
      runId: t.runId,
      since: t.updatedAt,
      ...(why ? { why } : {}),
    });
  }
  const group = (k: WorkKind): WorkGroup => {
    const list = (items.get(k) ?? []).sort((a, b) => a.since.localeCompare(b.since));
    return { count: list.length, ...(list[0] ? { oldest: list[0].since } : {}), items: list };
  };
  const groups: Record<WorkKind, WorkGroup> = {
    queued: group('queued'),
    leased: group('leased'),
    blocked: group('blocked'),
    guardHeld: group('guardHeld'),
    awaitingApproval: group('awaitingApproval'),
  };
  const held = HELD_KINDS.flatMap((k) => groups[k].items);
  const ages = held.map((i) => nowMs - Date.parse(i.since));
  return {
    at: new Date(nowMs).toISOString(),
    groups,
    held: held.length,
    heldOverAnHour: ages.filter((a) => a > HELD_ALARM_AFTER_MS).length,
    oldestHeldSeconds: ages.length === 0 ? 0 : Math.max(0, Math.floor(Math.max(...ages) / 1000)),
  };
}

/** The task store as `readWork` needs it (shared/dynamo/task-store.ts). */
export interface WorkTaskSource {
  byStatus(status: Task['status']): AsyncIterable<Task[]>;
}

/** Reads every live task (each live status through the byStatus index) and summarises them. */
export async function readWork(tasks: WorkTaskSource, nowMs: number): Promise<WorkSummary> {
  const live: Task[] = [];
  for (const status of TASK_STATUSES) {
    if (status === 'DONE' || status === 'CANCELLED') continue;
    for await (const page of tasks.byStatus(status)) live.push(...page);
  }
  return summarizeWork(live, nowMs);
}

/**
 * The exact next command for each kind that has work, written so that running it does what it
 * says: `idsync apply` runs the queued tasks; `idsync apply --max-deletions N` turns every BLOCKED
 * task (window or guard) back into PENDING and lets N deletions through, N being all of them.
 */
export function nextCommands(s: WorkSummary): Partial<Record<WorkKind, string>> {
  const blocked = s.groups.blocked.count + s.groups.guardHeld.count;
  return {
    ...(s.groups.queued.count > 0 ? { queued: 'idsync apply' } : {}),
    ...(s.groups.leased.count > 0
      ? { leased: 'wait for the worker, or run idsync apply (it waits for the leases)' }
      : {}),
    ...(s.groups.blocked.count > 0 ? { blocked: releaseCommand(blocked) } : {}),
    ...(s.groups.guardHeld.count > 0 ? { guardHeld: releaseCommand(blocked) } : {}),
    ...(s.groups.awaitingApproval.count > 0
      ? { awaitingApproval: 'idsync review approve RUN (or idsync review reject RUN)' }
      : {}),
  };
}

/**
 * The lines a run prints while work is held (none when nothing is): how many, of which kind, and
 * the exact commands. `apply` and `reconcile` print them and exit 3.
 */
export function heldLines(s: WorkSummary): string[] {
  if (s.held === 0) return [];
  const next = nextCommands(s);
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `HELD: ${n(s.held)} ${s.held === 1 ? 'removal is' : 'removals are'} held and will not run by themselves (idsync status lists them).`,
  ];
  for (const kind of HELD_KINDS) {
    const g = s.groups[kind];
    if (g.count === 0) continue;
    lines.push(`  ${n(g.count)} ${WORK_LABELS[kind]}: ${next[kind]}`);
  }
  if (s.groups.blocked.count + s.groups.guardHeld.count > 0)
    lines.push(
      '  Check them first (idsync status, idsync audit); a person back in a configured group is cancelled by the next plan.',
    );
  return lines;
}
