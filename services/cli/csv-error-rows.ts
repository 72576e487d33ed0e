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
