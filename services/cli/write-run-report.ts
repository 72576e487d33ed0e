import type { Stores } from '../../shared/runtime.js';

/** Writes the HTML report of a run and returns the line that tells the operator where it is. */
export async function writeRunReport(
  stores: Stores,
  runId: string,
  out: string,
  readerPrice: number,
): Promise<string> {
  const { writeReport } = await import('../audit/write-report.js');
  const written = await writeReport(stores, { runId, out, readerPrice });
  return `report: ${written.path}`;
}
