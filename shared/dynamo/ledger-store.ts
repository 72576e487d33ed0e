import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from '../domain.js';
import { type MemberSighting, mergeLedger } from '../identity-merge.js';
import { BatchWriter, batchGet } from './batch.js';

/** The membership ledger (table `ledger`): everyone idsync has seen as a member. Never pruned. */
export class DynamoLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Records the members of a COMPLETE snapshot (BatchGet previous rows, merge, BatchWrite). */
  async recordMembers(
    members: Iterable<MemberSighting>,
    at: string,
    runId: string,
  ): Promise<number> {
    const writer = new BatchWriter(this.doc, this.table);
    let chunk: MemberSighting[] = [];
    let count = 0;
    const write = async () => {
      const previous = await batchGet(
        this.doc,
        this.table,
        chunk.map((m) => ({ email: m.email })),
      );
      const byEmail = new Map(
        previous.map((p) => [p.email as string, p as unknown as LedgerEntry]),
      );
      for (const m of chunk)
        await writer.put({ ...mergeLedger(byEmail.get(m.email), m, at, runId) });
      count += chunk.length;
      chunk = [];
    };
    for (const m of members) {
      chunk.push(m);
      if (chunk.length === 100) await write();
    }
    if (chunk.length > 0) await write();
    await writer.flush();
    return count;
  }

  /** Every ledger entry, page by page. */
  async *entries(): AsyncIterable<LedgerEntry[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({ TableName: this.table, ExclusiveStartKey }),
      );
      yield (page.Items ?? []) as LedgerEntry[];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
