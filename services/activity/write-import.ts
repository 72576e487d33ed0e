import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type ActivityDelta,
  type ActivityMark,
  activityKey,
} from '../../shared/activity-record.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { batchGet } from '../../shared/dynamo/batch.js';
import { tableSpec } from '../../shared/tables.js';

/**
 * Writes an import's evidence into the activity record, a batch of users at a time, without
 * letting it outweigh what the record already knows: `last` stays the newest activity of all
 * sources (shared/activity-record.ts `mergeActivity`), and a row whose "nothing since L up to
 * the export" is contradicted by activity the record holds (from CloudTrail, live events or an
 * earlier import) inside that span adds no span: the export missed that activity, so its
 * claim of absence is not evidence for this user.
 */

/** Users per BatchGetItem + conditional puts. */
const BATCH = 50;

/** Whether `last` (the record's newest activity) lies inside the import span and after its start. */
export function contradictsImport(last: ActivityMark | undefined, delta: ActivityDelta): boolean {
  const span = delta.spans?.import;
  if (!span || !last) return false;
  const at = Date.parse(last.at);
  return at > Date.parse(span.from) && at <= Date.parse(span.to);
}

/** The delta without its import span (its activity mark stays: it can only make `last` newer). */
export function withoutImportSpan(delta: ActivityDelta): ActivityDelta {
  const { spans: _dropped, ...rest } = delta;
  return rest;
}

export interface ImportWrite {
  readonly written: number;
  readonly unchanged: number;
  /** Users whose row the record contradicts (written without the span). */
  readonly contradicted: number;
}

export async function writeImport(
  deps: {
    readonly doc: DynamoDBDocumentClient;
    readonly table: string;
    readonly store: Pick<DynamoActivityStore, 'recordMany'>;
  },
  deltas: readonly ActivityDelta[],
): Promise<ImportWrite> {
  const key = tableSpec('activity').partitionKey.name;
  let written = 0;
  let contradicted = 0;
  for (let i = 0; i < deltas.length; i += BATCH) {
    const batch = deltas.slice(i, i + BATCH);
    const keys = batch.map((d) => activityKey(d.namespace, d.userName));
    const items = await batchGet(
      deps.doc,
      deps.table,
      keys.map((k) => ({ [key]: k })),
      { consistentRead: true },
    );
    const lastOf = new Map(items.map((item) => [item[key] as string, item.last as ActivityMark]));
    const checked = batch.map((delta, j) => {
      if (!contradictsImport(lastOf.get(keys[j] as string), delta)) return delta;
      contradicted++;
      return withoutImportSpan(delta);
    });
    const outcomes = await deps.store.recordMany(checked);
    written += outcomes.filter((o) => o === 'written').length;
  }
  return { written, unchanged: deltas.length - written, contradicted };
}
