import {
  CANCELLABLE_STATUSES,
  CLAIMABLE_STATUSES,
  REPLACEABLE_STATUSES,
  type TaskStatus,
  WITHDRAWABLE_STATUSES,
} from '../task.js';

/**
 * The task table's DynamoDB conditions as named fragments (expression + names + values), composed
 * with `and` / `or`: every conditional write and filter of shared/dynamo/task-store.ts is one of
 * the named conditions below, each the table's form of a rule in shared/task.ts (`claimable` is
 * `isClaimable`, `leased` is `isLeased`). Status values are placeholders named after the status
 * (`:status_PENDING`), so fragments compose without clashing and adding a state to shared/task.ts
 * (and to the status sets there) changes no expression here.
 */

export interface Condition {
  readonly expression: string;
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, unknown>>;
}

const STATUS = { '#status': 'status' } as const;

function fragment(
  expression: string,
  values: Record<string, unknown> = {},
  names: Record<string, string> = {},
): Condition {
  return { expression, names, values };
}

/**
 * The operator that joins an expression at its top level (outside parentheses): 'AND' or 'OR'
 * when only that one does, undefined for an expression with none (a comparison, a function, an
 * IN list), and 'mixed' for anything else (both, or BETWEEN's `AND`), which is always wrapped.
 */
export function topLevelOperator(expression: string): 'AND' | 'OR' | 'mixed' | undefined {
  const found = new Set<string>();
  let depth = 0;
  for (const token of expression.split(/(\(|\)|\s+)/)) {
    if (token === '(') depth++;
    else if (token === ')') depth--;
    else if (depth === 0 && /^(AND|OR|BETWEEN|NOT)$/i.test(token)) found.add(token.toUpperCase());
  }
  if (found.size === 0) return undefined;
  if (found.size === 1 && found.has('AND')) return 'AND';
  if (found.size === 1 && found.has('OR')) return 'OR';
  return 'mixed';
}

/**
 * A part as it stands in a composition by `operator`: in parentheses only where DynamoDB's
 * precedence (AND before OR) needs them, i.e. an OR inside an AND, or the same operator nested
 * (kept, so the tree stays the one composed). Each pair of parentheses costs a DynamoDB-like
 * parser (dynalite's, the sandbox's) a backtracking search, so nested conditions wrapped part by
 * part took it several ms a request (claimable: 6.4 ms against 1.4 ms).
 */
function asPart(operator: 'AND' | 'OR', part: Condition): string {
  const inner = topLevelOperator(part.expression);
  const wrap = inner === 'mixed' || inner === operator || (inner === 'OR' && operator === 'AND');
  return wrap ? `(${part.expression})` : part.expression;
}

function join(operator: 'AND' | 'OR', parts: readonly Condition[]): Condition {
  if (parts.length === 0) throw new Error(`${operator} of no condition`);
  if (parts.length === 1) return parts[0] as Condition;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.values)) {
      if (k in values && values[k] !== v) throw new Error(`conditions disagree on ${k}`);
      values[k] = v;
    }
    Object.assign(names, p.names);
  }
  return fragment(parts.map((p) => asPart(operator, p)).join(` ${operator} `), values, names);
}

/** Every part holds. */
export const and = (...parts: Condition[]): Condition => join('AND', parts);
/** At least one part holds. */
export const or = (...parts: Condition[]): Condition => join('OR', parts);

// ── the fields ──

export const taskExists = fragment('attribute_exists(taskId)');
export const taskAbsent = fragment('attribute_not_exists(taskId)');

/** The task's status is one of `statuses`. */
export function statusIn(statuses: readonly TaskStatus[]): Condition {
  if (statuses.length === 0) throw new Error('statusIn of no status');
  const values = Object.fromEntries(statuses.map((s) => [`:status_${s}`, s]));
  const list = Object.keys(values);
  const expression = list.length === 1 ? `#status = ${list[0]}` : `#status IN (${list.join(', ')})`;
  return fragment(expression, values, STATUS);
}

/** The lease ended before `nowMs` (a lease that ends exactly now still holds). No lease: ended. */
export function leaseEndedBy(nowMs: number): Condition {
  return fragment('attribute_not_exists(leaseUntil) OR leaseUntil < :now', { ':now': nowMs });
}

/** The lease lasts at least until `nowMs`. */
export function leaseHoldsAt(nowMs: number): Condition {
  return fragment('leaseUntil >= :now', { ':now': nowMs });
}

export function leaseOwnedBy(owner: string): Condition {
  return fragment('leaseOwner = :owner', { ':owner': owner });
}

export function createdByRun(runId: string): Condition {
  return fragment('runId = :runId', { ':runId': runId });
}

export function updatedBefore(at: string): Condition {
  return fragment('updatedAt < :before', { ':before': at });
}

// ── the named conditions of the task store ──

/** `isClaimable`: PENDING or FAILED, or IN_PROGRESS whose lease ended before `nowMs`. */
export function claimable(nowMs: number): Condition {
  return and(
    taskExists,
    or(statusIn(CLAIMABLE_STATUSES), and(statusIn(['IN_PROGRESS']), leaseEndedBy(nowMs))),
  );
}

/** `isLeased`: IN_PROGRESS under a lease that lasts at least until `nowMs`. */
export function leased(nowMs: number): Condition {
  return and(statusIn(['IN_PROGRESS']), leaseHoldsAt(nowMs));
}

/** IN_PROGRESS under `owner`'s lease: only the lease holder moves its task on. */
export function heldBy(owner: string): Condition {
  return and(statusIn(['IN_PROGRESS']), leaseOwnedBy(owner));
}

/**
 * `enqueue` may write the task: none yet, or a final one (DONE, CANCELLED). With `dataFrom`
 * (when the plan's snapshot started), a DONE task counts only when it became DONE before then.
 */
export function replaceable(dataFrom?: string): Condition {
  if (dataFrom === undefined) return or(taskAbsent, statusIn(REPLACEABLE_STATUSES));
  const others = REPLACEABLE_STATUSES.filter((s) => s !== 'DONE');
  return or(
    taskAbsent,
    ...(others.length > 0 ? [statusIn(others)] : []),
    and(statusIn(['DONE']), updatedBefore(dataFrom)),
  );
}

/** A task that has not started: PENDING, BLOCKED, or FAILED awaiting a retry. */
export const cancellable = statusIn(CANCELLABLE_STATUSES);

/** A queued task `runId` created (undoing a half-queued plan). */
export function withdrawable(runId: string): Condition {
  return and(statusIn(WITHDRAWABLE_STATUSES), createdByRun(runId));
}

export const blocked = statusIn(['BLOCKED']);

/** The task belongs to review `reviewRunId`. */
export function inReview(reviewRunId: string): Condition {
  return fragment('reviewRunId = :review', { ':review': reviewRunId });
}

/** AWAITING_APPROVAL in review `reviewRunId`: only that review's decision moves it on. */
export function awaitingIn(reviewRunId: string): Condition {
  return and(statusIn(['AWAITING_APPROVAL']), inReview(reviewRunId));
}

/** The request fields of a condition, merged with an update's own values. */
export function conditionInput(
  condition: Condition,
  extraValues: Record<string, unknown> = {},
): {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const values = { ...extraValues, ...condition.values };
  return {
    ConditionExpression: condition.expression,
    ...(Object.keys(condition.names).length > 0
      ? { ExpressionAttributeNames: { ...condition.names } }
      : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}
