import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { type NeedsAttention, needsAttention } from '../../shared/needs-attention.js';
import { type PriceTable, type Savings, savingsByRole } from '../../shared/prices.js';
import { otherAccountOfScopeKey } from '../../shared/quicksight-scopes.js';
import {
  type AccountSplit,
  accountOfScope,
  HOME_ACCOUNT_LABEL,
  type ReportAccounts,
  splitByAccount,
} from './report-accounts.js';
import { type HandoverSection, handoverSection } from './report-handover.js';

/**
 * What the operator report of one run says, built from audit rows alone (pure). A run's rows are
 * its decisions, outcomes, events and input errors; an apply run's outcomes name their plan run
 * (`detail.planRunId`), whose decisions are joined in (`planRows`). Problems come first: failures,
 * then misses, then what the guard blocked.
 */

export const OUTCOMES = [
  'deleted',
  'already_gone',
  'failed',
  'cancelled',
  'blocked',
  'deferred',
] as const;

/** A table row's state, in the order the table lists them (problems first). */
export const STATUS_ORDER = [
  'failed',
  'not_found',
  'invalid',
  'blocked',
  'planned',
  'deleted',
  'already_gone',
  'cancelled',
  'ends_with_group',
  'left_group',
  'deferred',
  'kept',
  'protected',
] as const;
export type RowStatus = (typeof STATUS_ORDER)[number];

export interface PersonRow {
  readonly email: string;
  readonly userName?: string;
  readonly role?: string;
  readonly source?: string;
  readonly decision: string;
  readonly reason: string;
  readonly outcome?: string;
  readonly attempts?: number;
  readonly error?: string;
  readonly status: RowStatus;
  /** What the idle rule saw (`inactive` decisions): "last active 2026-09-14, GetDashboard, from CloudTrail". */
  readonly seen?: string;
  /** The QuickSight account of a row that names its scope (./report-accounts.ts); absent: home. */
  readonly account?: string;
}

/** A user who turns idle soon (`idsync inactive --warn-days`, audit kind `idle_soon`). */
export interface IdleSoonRow {
  readonly email: string;
  readonly userName: string;
  readonly role: string;
  /** ISO time after which the user is idle if nothing happens. */
  readonly idleAfter?: string;
  readonly reason: string;
}

/** The "Idle Readers" section: users decided by the idle rule, and who turns idle soon. */
export interface IdleSection {
  /** People-table rows whose source is `inactive` (decision `kept`: a keep group's member). */
  readonly users: readonly PersonRow[];
  readonly soon: readonly IdleSoonRow[];
  /** Idle users deleted in this run, and what that saves a month by role (shared/prices.ts). */
  readonly deleted: number;
  readonly savings: Savings;
}

export type MissKind = 'not_found' | 'unresolved_event' | 'rejected_event' | 'input_error';

export interface MissRow {
  readonly kind: MissKind;
  /** Who or what: an email, an IdC user id, `CSV line 4`. */
  readonly subject: string;
  readonly reason: string;
}

export interface ReportModel {
  readonly runId: string;
  readonly generatedAt: string;
  /** Time of the run's first and last rows. */
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Plan runs whose decisions were joined in (an apply-only run). */
  readonly planRunIds: readonly string[];
  /** Rows of the people table, by decision. */
  readonly decisionCounts: Readonly<Record<string, number>>;
  /** This run's outcome rows, by outcome. */
  readonly outcomeCounts: Readonly<Record<string, number>>;
  readonly eventCounts: Readonly<Record<string, number>>;
  readonly inputErrors: number;
  /** Distinct people in the table. */
  readonly people: number;
  /** Deleted QuickSight users by what named their person (group_removal, deleted_event, csv). */
  readonly deletedBySource: Readonly<Record<string, number>>;
  readonly rows: readonly PersonRow[];
  readonly misses: readonly MissRow[];
  readonly failures: readonly PersonRow[];
  /** Protected or deferred users kept, with the monthly cost of each seat (shared/needs-attention.ts). */
  readonly kept: NeedsAttention;
  /** Distinct reasons of blocked decisions (the guard's). */
  readonly guardReasons: readonly string[];
  /** The cross-run guard window as the plan saw it ("guard window: 7 of 10 deletions used …"). */
  readonly guardWindow?: string;
  /** Users deleted in this run, priced by role (shared/prices.ts). */
  readonly savings: Savings;
  /** Present when the run judged idle users (`idsync inactive`). */
  readonly idle?: IdleSection;
  /** The run was a dry run (no `--apply`): it deleted nothing, the report shows what it would. */
  readonly dryRun?: boolean;
  /** Present when the run handed assets over (or began to): ./report-handover.ts. */
  readonly handedOver?: HandoverSection;
  /** Present when the rows name more than one QuickSight account: totals per account and in all. */
  readonly byAccount?: AccountSplit;
}

export interface ReportInput {
  readonly runId: string;
  readonly rows: readonly AuditRecord[];
  /** Rows of the plan runs named by this run's outcomes (other runs only). */
  readonly planRows?: readonly AuditRecord[];
  /** Monthly seat prices by role (IDSYNC_PRICES). */
  readonly prices: PriceTable;
  readonly generatedAt: string;
  /** The run was a dry run (the command says so; the audit rows alone do not). */
  readonly dryRun?: boolean;
  /** The home account's id, to name the account rows are in (./report-accounts.ts). */
  readonly accounts?: ReportAccounts;
}

/** Plan runs other than `runId` that this run's outcome rows point to, in first-seen order. */
export function planRunIdsOf(runId: string, rows: readonly AuditRecord[]): string[] {
  const ids = new Set<string>();
  for (const r of rows) {
    const id = r.kind === 'outcome' ? r.detail?.planRunId : undefined;
    if (typeof id === 'string' && id !== runId) ids.add(id);
  }
  return [...ids];
}

const countBy = <T>(items: readonly T[], key: (t: T) => string | undefined) => {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

/**
 * What joins a decision to its outcome: the user name, and the scope of a user of another
 * QuickSight account (the same name may be a user in two accounts). Home-account rows keep the
 * name alone, whether or not they carry their bare namespace key.
 */
const userKey = (r: AuditRecord) =>
  r.userName
    ? otherAccountOfScopeKey(r.scope) !== undefined
      ? `${r.scope}#${r.userName}`
      : r.userName
    : undefined;

export function buildReportModel(input: ReportInput): ReportModel {
  const own = input.rows.filter((r) => r.runId === input.runId);
  const joined = (input.planRows ?? []).filter((r) => r.runId !== input.runId);
  const outcomes = new Map<string, AuditRecord>();
  for (const r of own.filter((o) => o.kind === 'outcome').sort((a, b) => cmp(a.at, b.at)))
    outcomes.set(userKey(r) ?? `#${r.email}`, r);
  const ownDecisions = own.filter((r) => r.kind === 'decision');
  // An apply-only run reports its plan runs' decisions; a run that planned reports its own, and
  // takes from earlier plan runs only the decisions of the tasks it carried out.
  const applyOnly = ownDecisions.length === 0;
  const rows: PersonRow[] = [];
  const decided = new Set<string>();
  const used = new Set<string>();
  const take = (d: AuditRecord, outcome: AuditRecord | undefined) => {
    const key = userKey(d);
    if (key !== undefined) decided.add(key);
    if (outcome && key !== undefined) used.add(key);
    rows.push(personRow(d, outcome, input.accounts));
  };
  for (const d of ownDecisions) take(d, outcomeOf(d));
  for (const d of joined.filter((r) => r.kind === 'decision')) {
    const key = userKey(d);
    if (key !== undefined && decided.has(key)) continue;
    const outcome = outcomeOf(d);
    // A plan run's deletions that this run did not carry out belong to another run.
    if (outcome || (applyOnly && d.decision !== 'delete')) take(d, outcome);
  }
  for (const [key, o] of outcomes) if (!used.has(key)) rows.push(personRow(o, o, input.accounts));
  function outcomeOf(d: AuditRecord): AuditRecord | undefined {
    const key = userKey(d);
    return key === undefined || used.has(key) ? undefined : outcomes.get(key);
  }
  rows.sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      cmp(a.email, b.email) ||
      cmp(a.userName ?? '', b.userName ?? ''),
  );
  const context = applyOnly ? [...own, ...joined] : own;
  const events = context.filter((r) => r.kind === 'event');
  const inputErrors = context.filter((r) => r.kind === 'input_error');
  const misses: MissRow[] = [
    ...rows
      .filter((r) => r.status === 'not_found')
      .map((r) => ({ kind: 'not_found' as const, subject: r.email, reason: r.reason })),
    ...events
      .filter((e) => e.outcome === 'unresolved' || e.outcome === 'rejected')
      .map((e) => ({
        kind:
          e.outcome === 'unresolved' ? ('unresolved_event' as const) : ('rejected_event' as const),
        subject: e.userId ?? e.email ?? eventName(e),
        reason: e.reason ?? '',
      })),
    ...inputErrors.map((e) => ({
      kind: 'input_error' as const,
      subject: inputWhere(e),
      reason: e.reason ?? '',
    })),
  ];
  const deleted = rows.filter((r) => r.status === 'deleted');
  const times = own.map((r) => r.at).sort(cmp);
  const guardWindow = [...ownDecisions, ...joined]
    .map((r) => r.detail?.guardWindow)
    .find((w): w is string => typeof w === 'string');
  const idle = idleSection(rows, context, input.prices);
  const handedOver = handoverSection(context);
  const byAccount = splitByAccount(
    rows,
    input.prices,
    input.accounts?.accountId ?? HOME_ACCOUNT_LABEL,
  );
  return {
    ...(guardWindow ? { guardWindow } : {}),
    runId: input.runId,
    generatedAt: input.generatedAt,
    ...(times.length > 0 ? { startedAt: times[0], finishedAt: times[times.length - 1] } : {}),
    planRunIds: planRunIdsOf(input.runId, own),
    decisionCounts: countBy(rows, (r) => r.decision),
    outcomeCounts: countBy([...outcomes.values()], (r) => r.outcome),
    eventCounts: countBy(events, (r) => r.outcome),
    inputErrors: inputErrors.length,
    people: new Set(rows.map((r) => r.email)).size,
    deletedBySource: countBy(deleted, (r) => r.source ?? 'unknown'),
    rows,
    misses,
    failures: rows.filter((r) => r.status === 'failed'),
    kept: needsAttention(
      rows.filter((r) => r.outcome === undefined),
      input.prices,
    ),
    guardReasons: [
      ...new Set(rows.filter((r) => r.status === 'blocked').map((r) => guardReason(r.reason))),
    ],
    savings: savingsByRole(
      input.prices,
      deleted.map((r) => r.role ?? ''),
    ),
    ...(idle ? { idle } : {}),
    ...(handedOver ? { handedOver } : {}),
    ...(byAccount ? { byAccount } : {}),
    ...(input.dryRun ? { dryRun: true } : {}),
  };
}

function idleSection(
  rows: readonly PersonRow[],
  context: readonly AuditRecord[],
  prices: PriceTable,
): IdleSection | undefined {
  const users = rows.filter((r) => r.source === 'inactive');
  const soon = context
    .filter((r) => r.kind === 'idle_soon')
    .map(
      (r): IdleSoonRow => ({
        email: r.email ?? '',
        userName: r.userName ?? '',
        role: r.role ?? '',
        ...(typeof r.detail?.idleAfter === 'string' ? { idleAfter: r.detail.idleAfter } : {}),
        reason: r.reason ?? '',
      }),
    )
    .sort((a, b) => cmp(a.idleAfter ?? '', b.idleAfter ?? '') || cmp(a.email, b.email));
  if (users.length === 0 && soon.length === 0) return undefined;
  const deleted = users.filter((r) => r.status === 'deleted');
  return {
    users,
    soon,
    deleted: deleted.length,
    savings: savingsByRole(
      prices,
      deleted.map((r) => r.role ?? ''),
    ),
  };
}

function personRow(
  d: AuditRecord,
  outcome: AuditRecord | undefined,
  accounts: ReportAccounts | undefined,
): PersonRow {
  const error = outcome?.detail?.error;
  const scope = d.scope ?? outcome?.scope;
  return {
    email: d.email ?? '',
    ...(d.userName ? { userName: d.userName } : {}),
    ...(d.role ? { role: d.role } : {}),
    ...(d.source ? { source: d.source } : {}),
    decision: d.decision ?? 'delete',
    reason: d.reason ?? '',
    ...(outcome?.outcome ? { outcome: outcome.outcome } : {}),
    ...(outcome?.attempts !== undefined ? { attempts: outcome.attempts } : {}),
    ...(typeof error === 'string' && error ? { error } : {}),
    ...(typeof d.detail?.seen === 'string' ? { seen: d.detail.seen } : {}),
    ...(scope !== undefined ? { account: accountOfScope(scope, accounts) } : {}),
    status: statusOf(d.decision, outcome?.outcome),
  };
}

function statusOf(decision: string | undefined, outcome: string | undefined): RowStatus {
  if (outcome && (STATUS_ORDER as readonly string[]).includes(outcome)) return outcome as RowStatus;
  if (decision === 'delete' || decision === undefined) return 'planned';
  return (STATUS_ORDER as readonly string[]).includes(decision)
    ? (decision as RowStatus)
    : 'planned';
}

/** The guard's part of a blocked decision's reason (`guard tripped: …; was: …`). */
function guardReason(reason: string): string {
  return reason.replace(/^guard tripped: /, '').replace(/; was: .*$/s, '');
}

function eventName(e: AuditRecord): string {
  const name = e.detail?.eventName;
  return typeof name === 'string' ? name : 'event';
}

function inputWhere(e: AuditRecord): string {
  const line = e.detail?.line;
  const what = e.source === 'csv' ? 'CSV line' : 'input line';
  return typeof line === 'number' ? `${what} ${line}` : (e.source ?? 'input');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
