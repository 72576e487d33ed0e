import {
  type ActivityRecord,
  activityKey,
  activityUserName,
  type Span,
} from '../../../shared/activity-record.js';
import { CLOUDTRAIL_HISTORY_DAYS } from '../../../shared/cloudtrail-history.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import type { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import type { DynamoLedger } from '../../../shared/dynamo/ledger-store.js';
import type { DynamoSnapshotStore } from '../../../shared/dynamo/snapshot-store.js';
import { normalizeEmail } from '../../../shared/email.js';
import { PartialSnapshotError, UsageError } from '../../../shared/errors.js';
import { coveredWindow, DAY_MS, DEFAULT_MAX_LAG_MS } from '../../../shared/idle-rule.js';
import {
  type QuickSightScope,
  scopeAccounts,
  scopeKeyOf,
} from '../../../shared/quicksight-scopes.js';
import { firstListings, type ListedSnapshot } from './first-listed.js';
import { type InactiveInput, type InactiveSelection, selectInactive } from './inactive-removals.js';
import { type KeepGroupMembers, keepGroupListingProblem, keepGroupMembers } from './keep-groups.js';
import { pendingCoverageOf } from './pending-facts.js';

/**
 * The shell of `idsync inactive`: reads the activity record, the newest COMPLETE snapshot's
 * QuickSight users, the COMPLETE snapshots of the last N days (creation evidence) and the ledger,
 * the members of the keep groups (IDSYNC_INACTIVE_KEEP_GROUPS) in the newest snapshot, and
 * selects the idle users (inactive-removals.ts). The plan itself is the ordinary plan:
 * the caller hands `selection.removals` to run-plan.ts as `extraRemovals`.
 */

export interface InactiveDeps {
  readonly snapshots: Pick<DynamoSnapshotStore, 'manifests' | 'quickSightUsers' | 'keepGroupRows'>;
  readonly ledger: Pick<DynamoLedger, 'entries'>;
  readonly activity: Pick<
    DynamoActivityStore,
    'all' | 'coverage' | 'coverageOfAccount' | 'pendingEvents'
  >;
  /** The identity map: tells which users pending on-behalf-of events cannot be. */
  readonly identities: Pick<DynamoIdentityMap, 'get' | 'findByEmail'>;
}

export interface InactiveOptions {
  readonly namespace: string;
  /**
   * IDSYNC_QUICKSIGHT_ACCOUNT_ID and the scopes (config.quicksight): with another account among
   * them, each user is judged by its own account's CloudTrail coverage.
   */
  readonly homeAccountId?: string;
  readonly scopes?: readonly QuickSightScope[];
  readonly days: number;
  readonly roles: readonly string[];
  readonly warnDays?: number;
  readonly managedUsernamePrefix?: string;
  /** IDSYNC_INACTIVE_KEEP_GROUPS (lower-case): their members are never idle. */
  readonly keepGroups?: readonly string[];
  readonly now: Date;
  /** IDSYNC_ACTIVITY_MAX_LAG_HOURS in ms (the idle rule's freshness limit). @default DEFAULT_MAX_LAG_MS */
  readonly maxLagMs?: number;
  /** `--downgrade-authors`: idle Authors become Readers (inactive-removals.ts). */
  readonly downgradeAuthors?: boolean;
}

export interface InactiveHistory {
  /** The span in which `activity sync` read every CloudTrail QuickSight event. */
  readonly cloudtrail?: Span;
  /** Users whose record holds an imported console span. */
  readonly imported: number;
}

export interface InactiveResult {
  readonly selection: InactiveSelection;
  readonly history: InactiveHistory;
  /** The newest COMPLETE snapshot the users come from. */
  readonly snapshotRunId: string;
}

/**
 * The exit-2 rule: asking for more days than the activity record holds is a usage error. It holds
 * when the record covers the N days for nobody: the CloudTrail span does not reach back N days,
 * and no judged user's import joined with it does (`counts.covered`). Verdicts do not count: a
 * user active within the N days shows activity, not history.
 *
 * @throws UsageError (exit 2) when the record covers the N days for nobody: the message says
 *   what history exists.
 * @throws PartialSnapshotError (exit 3) without a COMPLETE snapshot, or when the newest one did
 *   not list a keep group (or listed it empty): nothing is decided on unknown data.
 */
export async function selectInactiveUsers(
  deps: InactiveDeps,
  options: InactiveOptions,
): Promise<InactiveResult> {
  const coverage = await deps.activity.coverage();
  const cloudtrailOfScope = await coverageOfScopes(deps.activity, options);
  const records = new Map<string, ActivityRecord>();
  for await (const page of deps.activity.all()) for (const r of page) records.set(r.userKey, r);
  const imported = [...records.values()].filter((r) => r.spans.import !== undefined).length;
  const history: InactiveHistory = {
    ...(coverage.cloudtrail ? { cloudtrail: coverage.cloudtrail } : {}),
    imported,
  };

  const listed = await completeSnapshotsSince(
    deps.snapshots,
    options.namespace,
    options.now.getTime() - options.days * DAY_MS - (options.maxLagMs ?? DEFAULT_MAX_LAG_MS),
  );
  const latest = listed[0];
  if (!latest) {
    throw new PartialSnapshotError(
      'no COMPLETE snapshot yet: run idsync snapshot first (nothing is decided without one)',
    );
  }
  const keepMembers = await readKeepMembers(deps.snapshots, latest, options.keepGroups ?? []);
  const managedPeople = new Set<string>();
  for await (const page of deps.ledger.entries())
    for (const entry of page) managedPeople.add(normalizeEmail(entry.email));

  const input: InactiveInput = {
    namespace: options.namespace,
    quickSightUsers: latest.users,
    records,
    ...(coverage.cloudtrail ? { cloudtrail: coverage.cloudtrail } : {}),
    ...(cloudtrailOfScope ? { cloudtrailOfScope } : {}),
    firstListed: firstListings(listed),
    managedPeople,
    ...(options.managedUsernamePrefix
      ? { managedUsernamePrefix: options.managedUsernamePrefix }
      : {}),
    days: options.days,
    roles: options.roles,
    now: options.now,
    ...(options.warnDays === undefined ? {} : { warnDays: options.warnDays }),
    keepMembers,
    ...(options.maxLagMs === undefined ? {} : { maxLagMs: options.maxLagMs }),
    ...(options.downgradeAuthors ? { downgradeAuthors: true } : {}),
  };
  // Pending on-behalf-of events (pending-coverage.ts) can only turn idle users uncovered: the
  // identity map is asked about those, and the selection made again with the rule.
  const judged = selectInactive(input);
  const pending = await deps.activity.pendingEvents();
  const pendingEventsOf =
    pending.length > 0
      ? await pendingCoverageOf(pending, judged.idle, latest.users, deps.identities)
      : undefined;
  const selection = pendingEventsOf ? selectInactive({ ...input, pendingEventsOf }) : judged;
  const cloudtrailWindow = coveredWindow(
    coverage.cloudtrail ? [coverage.cloudtrail] : [],
    options.days,
    options.now,
    options.maxLagMs,
  );
  if (!cloudtrailWindow.ok && selection.counts.covered === 0) {
    throw new UsageError(describeMissingHistory(options.days, history, cloudtrailWindow.reason));
  }
  return { selection, history, snapshotRunId: latest.runId };
}

/**
 * With a QuickSight account besides the home one: each scope's CloudTrail coverage, that of its
 * account (DynamoActivityStore.coverageOfAccount; the home account's lanes are its regions). An
 * account `activity sync` has not covered leaves its scopes out, so its users are not idle.
 * Undefined with the home account alone (the account-wide coverage is its coverage).
 */
async function coverageOfScopes(
  activity: Pick<DynamoActivityStore, 'coverageOfAccount'>,
  options: Pick<InactiveOptions, 'homeAccountId' | 'scopes'>,
): Promise<Map<string, Span> | undefined> {
  const { homeAccountId, scopes } = options;
  if (!scopes || homeAccountId === undefined) return undefined;
  const accounts = scopeAccounts(scopes);
  if (accounts.every((a) => a === homeAccountId)) return undefined;
  const byAccount = new Map<string, Span | undefined>();
  for (const account of accounts) {
    const covered = await activity.coverageOfAccount(
      account === homeAccountId ? undefined : account,
    );
    byAccount.set(account, covered.cloudtrail);
  }
  const out = new Map<string, Span>();
  for (const scope of scopes) {
    const span = byAccount.get(scope.accountId);
    if (span) out.set(scope.key, span);
  }
  return out;
}

/** Exit-2 text: what was asked, what history exists, and how to get more. */
export function describeMissingHistory(
  days: number,
  history: InactiveHistory,
  reason: string,
): string {
  const ct = history.cloudtrail;
  const held = ct
    ? `CloudTrail history from ${ct.from} to ${ct.to} (${Math.floor((Date.parse(ct.to) - Date.parse(ct.from)) / DAY_MS)} days)`
    : 'no CloudTrail history';
  const imports =
    history.imported > 0
      ? `, and console imports for ${history.imported} users that do not reach back ${days} days either`
      : '';
  return (
    `asked for ${days} days without activity, but the activity record holds ${held}${imports}: ${reason}. ` +
    `Run idsync activity sync (up to --days ${CLOUDTRAIL_HISTORY_DAYS}, what CloudTrail keeps), import the console's ` +
    `last-active export with idsync activity import --csv FILE, or ask for fewer days with --days.`
  );
}

interface ListedUsers extends ListedSnapshot {
  readonly runId: string;
  readonly users: QuickSightUser[];
  /** Members listed per keep group (the manifest's `sources.google.keepGroups`). */
  readonly keepGroups: Readonly<Record<string, number>>;
}

/**
 * The keep groups' members in the newest COMPLETE snapshot. Every configured keep group must have
 * been listed by it, and not empty: a snapshot taken before the group was configured, or an
 * empty listing, is unknown data, and nobody is judged on it.
 */
async function readKeepMembers(
  snapshots: InactiveDeps['snapshots'],
  latest: ListedUsers,
  keepGroups: readonly string[],
): Promise<KeepGroupMembers> {
  if (keepGroups.length === 0) return new Map();
  const problem = keepGroupListingProblem(keepGroups, latest.keepGroups, latest.runId);
  if (problem) throw new PartialSnapshotError(problem);
  const wanted = new Set(keepGroups);
  const rows: { group: string; email: string }[] = [];
  for await (const page of snapshots.keepGroupRows(latest.runId))
    for (const r of page) if (wanted.has(r.group)) rows.push(r);
  return keepGroupMembers(rows);
}

/**
 * COMPLETE snapshots newest first: the newest, then the newest of each UTC day before it
 * (today's included) back to `sinceMs`, and the one before them (the "earlier snapshot that did not list it"). Only the
 * newest keeps its users. One snapshot a day bounds the reading to about N + 2 snapshots however
 * often snapshots run (hourly: 24 a day); a user created between two of them is dated at the later
 * one, which can only make it look newer (never idle sooner). A user deleted and created again
 * within one day is caught by its RegisterUser event in the activity record instead.
 */
async function completeSnapshotsSince(
  snapshots: InactiveDeps['snapshots'],
  namespace: string,
  sinceMs: number,
): Promise<ListedUsers[]> {
  const out: ListedUsers[] = [];
  const days = new Set<string>();
  for await (const m of snapshots.manifests()) {
    if (m.status !== 'COMPLETE') continue;
    // The newest is always read and counts for no day: the one before it is read too.
    const day = m.startedAt.slice(0, 10);
    if (out.length > 0) {
      if (days.has(day)) continue;
      days.add(day);
    }
    const users: QuickSightUser[] = [];
    for await (const page of snapshots.quickSightUsers(m.runId)) users.push(...page);
    out.push({
      runId: m.runId,
      startedAt: m.startedAt,
      keepGroups: m.sources.google?.keepGroups ?? {},
      userKeys: new Set(
        users.map((u) => activityKey(scopeKeyOf(u, namespace), activityUserName(u))),
      ),
      users: out.length === 0 ? users : [],
    });
    if (Date.parse(m.startedAt) < sinceMs) break;
  }
  return out;
}
