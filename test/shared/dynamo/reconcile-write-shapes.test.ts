import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdcUser } from '../../../shared/domain.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoIdentityMap } from '../../../shared/dynamo/identity-map-store.js';
import { DynamoLedger, ledgerBucketOf } from '../../../shared/dynamo/ledger-store.js';
import { startTestTables } from '../../helpers/tables.js';

/**
 * The shape of the writes a reconcile of many leavers makes in its snapshot (ledger, identity
 * map) and plan (decision rows): how many DynamoDB requests of each kind, and how many at once.
 * Not timed: the counts do not depend on the machine.
 */

/** A document client that counts what it sends, by command, and the most sent at once. */
function counting(doc: DynamoDBDocumentClient) {
  const sent = new Map<string, number>();
  let inFlight = 0;
  let peak = 0;
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name;
      sent.set(name, (sent.get(name) ?? 0) + 1);
      peak = Math.max(peak, ++inFlight);
      try {
        return await (doc.send as (c: unknown) => Promise<unknown>)(command);
      } finally {
        inFlight--;
      }
    },
  } as unknown as DynamoDBDocumentClient;
  return {
    client,
    sent: (name: string) => sent.get(name) ?? 0,
    total: () => [...sent.values()].reduce((a, b) => a + b, 0),
    get peak() {
      return peak;
    },
    reset() {
      sent.clear();
      peak = 0;
    },
  };
}

const N = 150;
const LEAVERS = 60;
const day = (d: number) => new Date(Date.UTC(2026, 11, d)).toISOString();

let t: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  t = await startTestTables();
});
afterAll(async () => t.close());

describe('the writes of a reconcile of many leavers', () => {
  it('the ledger rewrites each changed bucket once, up to 16 at a time, after one summary Scan', async () => {
    const counted = counting(t.doc);
    const ledger = new DynamoLedger(counted.client, t.names.ledger);
    const members = Array.from({ length: N }, (_, i) => ({
      email: `m${i}@example.com`,
      googleId: `g${i}`,
      groups: ['readers@example.com'],
    }));
    await ledger.recordMembers(members, day(1), 'r1');
    counted.reset();
    const stay = members.slice(LEAVERS);
    await ledger.recordMembers(stay, day(2), 'r2');
    const changed = new Set(members.slice(0, LEAVERS).map((m) => ledgerBucketOf(m.email))).size;
    // One conditional put per changed bucket (plus the STATE item), never one per person.
    expect(counted.sent('PutCommand')).toBe(changed + 1);
    expect(counted.sent('BatchGetCommand')).toBe(Math.ceil(changed / 100));
    expect(counted.total()).toBeLessThanOrEqual(changed + 1 + Math.ceil(changed / 100) + 4);
    expect(counted.peak).toBeGreaterThan(1);
    expect(counted.peak).toBeLessThanOrEqual(16);
  });

  it('the identity map marks the unseen gone with one conditional update each, up to 16 at a time', async () => {
    const counted = counting(t.doc);
    const map = new DynamoIdentityMap(counted.client, t.names.identities);
    const users: IdcUser[] = Array.from({ length: N }, (_, i) => ({
      userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userName: `u${i}@example.com`,
      emails: [{ value: `u${i}@example.com`, primary: true }],
      externalIds: [],
    }));
    const first = map.startListing('r1', day(1));
    await first.recordPage(users, day(1));
    await first.markUnseenGone(day(1));
    counted.reset();
    const second = map.startListing('r2', day(2));
    await second.recordPage(users.slice(LEAVERS), day(2));
    const gone = await second.markUnseenGone(day(2));
    expect(gone).toHaveLength(LEAVERS);
    // Unchanged users cost nothing; each gone user one conditional UpdateItem.
    expect(counted.sent('UpdateCommand')).toBe(LEAVERS);
    expect(counted.sent('BatchWriteCommand')).toBe(0);
    expect(counted.peak).toBeGreaterThan(1);
    expect(counted.peak).toBeLessThanOrEqual(16);
  });

  it('the plan writes its decision rows 25 to a BatchWriteItem, never one PutItem a row', async () => {
    const counted = counting(t.doc);
    const audit = new DynamoAuditLog(counted.client, t.names.audit);
    const rows = Array.from({ length: N }, (_, i) => ({
      runId: 'plan-1',
      at: day(2),
      kind: 'decision' as const,
      email: `m${i}@example.com`,
      source: 'group_removal' as const,
      decision: 'delete' as const,
      reason: 'left every configured group',
    }));
    await audit.appendBatched(rows);
    expect(counted.sent('BatchWriteCommand')).toBe(Math.ceil(N / 25));
    expect(counted.sent('PutCommand')).toBe(0);
    expect(counted.peak).toBeLessThanOrEqual(8);
  });
});
