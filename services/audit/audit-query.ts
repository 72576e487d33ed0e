import type { DynamoAuditLog, StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { normalizeEmail } from '../../shared/email.js';
import { UsageError } from '../../shared/errors.js';
import { readAhead } from '../../shared/read-ahead.js';

/**
 * Which key an audit query goes through. Each filter has its own access path (DATA-MODEL.md):
 * run → the table key, email → GSI byEmail, IdC user id → GSI byUserId, time → GSI byDay (one
 * partition per day). With several filters the most selective key is queried and the others are
 * checked in memory: a user id or an email names one person (a few rows per run they were in), a
 * run holds every decision of one run, and a time range holds every run in it. Never a scan.
 */

export interface AuditFilters {
  readonly runId?: string;
  readonly email?: string;
  readonly userId?: string;
  /** ISO instant: rows at or after it. */
  readonly since?: string;
}

export type AuditAccessPath = 'table' | 'byUserId' | 'byEmail' | 'byDay';

export interface AuditQueryPlan {
  readonly path: AuditAccessPath;
  /** What the key is, for people: `run 2026…`, `email a@x`. */
  readonly describe: string;
  /** Filters checked in memory on every row read (the key's own filter is met by the query). */
  readonly inMemory: readonly (keyof AuditFilters)[];
}

export type AuditReader = Pick<DynamoAuditLog, 'byRun' | 'byEmail' | 'byUserId' | 'since'>;

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** The access path for a set of filters (most selective first); a UsageError when there is none. */
export function planAuditQuery(filters: AuditFilters): AuditQueryPlan {
  const given = (Object.keys(filters) as (keyof AuditFilters)[]).filter((k) => present(filters[k]));
  const rest = (...handled: (keyof AuditFilters)[]) => given.filter((k) => !handled.includes(k));
  if (present(filters.userId))
    return {
      path: 'byUserId',
      describe: `IdC user id ${filters.userId}`,
      inMemory: rest('userId', 'since'),
    };
  if (present(filters.email))
    return {
      path: 'byEmail',
      describe: `email ${normalizeEmail(filters.email)}`,
      inMemory: rest('email', 'since'),
    };
  if (present(filters.runId))
    return { path: 'table', describe: `run ${filters.runId}`, inMemory: rest('runId') };
  if (present(filters.since))
    return { path: 'byDay', describe: `rows since ${filters.since}`, inMemory: [] };
  throw new UsageError('audit needs a filter: --run, --email, --user-id or --since');
}

/** Whether a row meets every given filter. */
export function matchesFilters(row: StoredAuditRecord, filters: AuditFilters): boolean {
  if (present(filters.runId) && row.runId !== filters.runId.trim()) return false;
  if (present(filters.email) && row.email !== normalizeEmail(filters.email)) return false;
  if (present(filters.userId) && row.userId !== filters.userId.trim()) return false;
  if (present(filters.since) && row.at < filters.since) return false;
  return true;
}

/**
 * The pages of rows meeting the filters, read through the plan's access path, one page ahead of
 * the consumer (the next Query is in flight while the current page is written out).
 */
export async function* queryAudit(
  reader: AuditReader,
  filters: AuditFilters,
  plan: AuditQueryPlan = planAuditQuery(filters),
): AsyncIterable<StoredAuditRecord[]> {
  const since = present(filters.since) ? filters.since : undefined;
  const pages =
    plan.path === 'byUserId'
      ? reader.byUserId((filters.userId as string).trim(), since)
      : plan.path === 'byEmail'
        ? reader.byEmail(filters.email as string, since)
        : plan.path === 'table'
          ? reader.byRun((filters.runId as string).trim())
          : reader.since(since as string);
  for await (const page of readAhead(pages, 1)) {
    const kept = plan.inMemory.length === 0 ? page : page.filter((r) => matchesFilters(r, filters));
    if (kept.length > 0) yield kept;
  }
}
