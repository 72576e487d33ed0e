import type { CsvRowError } from '../../shared/csv-rows.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';

/**
 * The audit rows of an operator CSV's bad lines (`remove --csv`, `activity import --csv`): one
 * `input_error` each, naming the line, so the report shows what was refused and why.
 */
export function csvErrorRows(
  errors: readonly CsvRowError[],
  run: { readonly runId: string; readonly at: string; readonly source: string },
): AuditRecord[] {
  return errors.map((e) => ({
    runId: run.runId,
    at: run.at,
    kind: 'input_error' as const,
    source: run.source,
    reason: `CSV line ${e.line}: ${e.reason}`,
    detail: { line: e.line, value: e.value },
  }));
}

/** Bad lines written per batch while a CSV streams. */
const AUDIT_BATCH = 1_000;

/**
 * The audit of a streaming CSV's bad lines: each `add` queues the line's audit row, written a
 * batch at a time (`flush` writes the rest), so a file of any size keeps no list of its errors.
 */
export class CsvErrorAudit {
  private pending: CsvRowError[] = [];

  constructor(
    private readonly audit: { appendBatched(records: readonly AuditRecord[]): Promise<unknown> },
    private readonly run: { readonly runId: string; readonly at: string; readonly source: string },
  ) {}

  async add(error: CsvRowError): Promise<void> {
    this.pending.push(error);
    if (this.pending.length >= AUDIT_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // Batched: fresh keys of this run (DynamoAuditLog.appendBatched).
    if (batch.length > 0) await this.audit.appendBatched(csvErrorRows(batch, this.run));
  }
}

/** Bad lines a command prints (and keeps for `--json`); all are counted and audited. */
export const SHOWN_BAD_ROWS = 100;

/** The printed bad lines: the first ones kept, then how many more the audit holds. */
export function csvErrorLines(
  shown: readonly CsvRowError[],
  total: number,
  runId: string,
): string[] {
  const lines = shown.map(
    (e) => `  line ${e.line}: ${e.reason}${e.value ? ` (${JSON.stringify(e.value)})` : ''}`,
  );
  if (total > shown.length) lines.push(`  ... and ${total - shown.length} more bad rows`);
  if (total > 0) lines.push(`  bad rows are in the audit (run ${runId}).`);
  return lines;
}
