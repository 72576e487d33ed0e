import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { NotFoundError } from '../../shared/errors.js';
import type { PriceTable } from '../../shared/prices.js';
import { renderReport } from './render-report.js';
import type { ReportAccounts } from './report-accounts.js';
import { buildReportModel } from './report-model.js';
import { loadReportModel, type ReportStores } from './write-report.js';

/**
 * The audit's HTML report as a port for the jobs that publish one of their own (the monthly
 * review, services/review/review-ports.ts `AuditPages`): the handler or the command that
 * composes them hands it in, so no job imports another.
 */
export function auditPages(stores: ReportStores, accounts?: ReportAccounts) {
  return {
    /** The page of run `runId`'s audit rows; undefined when the run wrote none. */
    async ofRun(
      runId: string,
      options: { readonly prices: PriceTable; readonly dryRun: boolean },
    ): Promise<string | undefined> {
      const model = await loadReportModel(stores, {
        runId,
        ...options,
        ...(accounts ? { accounts } : {}),
      }).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      return model ? renderReport(model) : undefined;
    },
    /** The page of these rows, counted as run `runId`'s. */
    ofRows(runId: string, rows: readonly AuditRecord[], prices: PriceTable): string {
      return renderReport(
        buildReportModel({
          runId,
          rows: [...rows],
          prices,
          generatedAt: new Date().toISOString(),
          ...(accounts ? { accounts } : {}),
        }),
      );
    },
  };
}
