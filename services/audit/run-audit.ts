import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { type AuditFormat, exportStreams } from './audit-format.js';
import {
  type AuditAccessPath,
  type AuditFilters,
  type AuditReader,
  planAuditQuery,
  queryAudit,
} from './audit-query.js';
import { findNewestRun } from './newest-run.js';
import { outputWriteError, prepareOutputFile } from './output-file.js';
import { boundSince } from './since.js';

/** `idsync audit`: query the audit through its indexes and stream it out in a format. */

export interface AuditDeps {
  readonly audit: AuditReader;
  /** For finding the newest run (GSI byDay, newest first) when no filter is given. */
  readonly doc: DynamoDBDocumentClient;
  readonly auditTable: string;
}

export interface RunAuditOptions {
  readonly filters: AuditFilters;
  readonly format: AuditFormat;
  /** A file to write; otherwise `stdout`. A `.csv` file starts with a UTF-8 BOM (for Excel). */
  readonly out?: string;
  readonly stdout?: Writable;
  /** How many days back the newest run is looked for when no filter is given: 30. */
  readonly newestRunDays?: number;
  readonly now?: Date;
}

export interface RunAuditResult {
  readonly rows: number;
  readonly format: AuditFormat;
  readonly path: AuditAccessPath;
  /** The key in words: `run 2026…`, `email a@x`. */
  readonly query: string;
  /** Set when no filter was given and the newest run was exported. */
  readonly newestRunId?: string;
  /** No filter was given and no run was found in the days looked at: nothing was read. */
  readonly noRunFound?: boolean;
  readonly out?: string;
  /** Said when `--since` was moved (before the table existed) or names the future. */
  readonly note?: string;
}

/**
 * When the audit table was created (idsync stamps every row as it appends it, so no row is
 * older), or undefined when that cannot be read or the table was restored from a backup.
 */
async function tableCreatedAt(deps: AuditDeps): Promise<Date | undefined> {
  try {
    const { Table } = await deps.doc.send(new DescribeTableCommand({ TableName: deps.auditTable }));
    // A restored table is younger than its rows: then only the fixed cap applies.
    return Table?.RestoreSummary ? undefined : Table?.CreationDateTime;
  } catch {
    return undefined;
  }
}

/** `--out` file name → the format it implies, when `--format` is not given. */
export function formatForFile(out: string | undefined): AuditFormat | undefined {
  const ext = out?.toLowerCase().match(/\.(csv|json|jsonl|ndjson)$/)?.[1];
  if (ext === 'ndjson') return 'jsonl';
  return ext as AuditFormat | undefined;
}

const hasFilter = (f: AuditFilters) =>
  [f.runId, f.email, f.userId, f.since].some((v) => v !== undefined && v.trim() !== '');

/**
 * Streams the rows meeting `filters` (or, with no filter, the newest run's rows) to `out` or
 * `stdout`, page by page. Returns how many rows were written and which key was used.
 */
export async function runAudit(deps: AuditDeps, options: RunAuditOptions): Promise<RunAuditResult> {
  const outPath = options.out ? await prepareOutputFile(options.out, 'export') : undefined;
  let filters = options.filters;
  let note: string | undefined;
  if (filters.since !== undefined && filters.since.trim() !== '') {
    // One Query per day since then: bound the days to those the table can hold.
    const bounded = boundSince(
      filters.since,
      await tableCreatedAt(deps),
      options.now ?? new Date(),
    );
    filters = { ...filters, since: bounded.since };
    note = bounded.note;
  }
  let newestRunId: string | undefined;
  if (!hasFilter(filters)) {
    const newest = await findNewestRun(deps.doc, deps.auditTable, {
      days: options.newestRunDays ?? 30,
      ...(options.now ? { now: options.now } : {}),
    });
    newestRunId = newest?.runId;
    filters = { runId: newest?.runId ?? '' };
  }
  const noRunFound = !hasFilter(filters);
  const plan = noRunFound
    ? { path: 'table' as const, describe: 'no run found', inMemory: [] }
    : planAuditQuery(filters);
  let rows = 0;
  async function* counted(): AsyncIterable<StoredAuditRecord[]> {
    if (noRunFound) return;
    for await (const page of queryAudit(deps.audit, filters, plan)) {
      rows += page.length;
      yield page;
    }
  }
  const streams = exportStreams(options.format, counted(), {
    bom: options.out?.toLowerCase().endsWith('.csv') === true,
    showRun: plan.path !== 'table',
  });
  if (outPath) {
    const file = createWriteStream(outPath);
    // A failed open or write is the file's problem (one line); a failed read stays itself.
    let fileError: unknown;
    file.once('error', (error) => {
      fileError = error;
    });
    try {
      await pipeline([...streams, file]);
    } catch (error) {
      if (fileError !== undefined) throw outputWriteError(outPath, 'export', fileError);
      throw error;
    }
  } else {
    if (!options.stdout) throw new Error('runAudit needs out or stdout');
    await pipeline([...streams, options.stdout], { end: false });
  }
  return {
    rows,
    format: options.format,
    path: plan.path,
    query: plan.describe,
    ...(newestRunId ? { newestRunId } : {}),
    ...(noRunFound ? { noRunFound } : {}),
    ...(options.out ? { out: options.out } : {}),
    ...(note ? { note } : {}),
  };
}
