import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB tables of idsync, defined once: `idsync init-tables` creates them from this list,
 * and the CDK stack builds them from it. The data model and its access patterns are described in
 * docs/DATA-MODEL.md.
 */

export type AttributeType = 'S' | 'N';

export interface KeySpec {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexSpec {
  readonly indexName: string;
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
}

export interface TableSpec {
  /** Logical id; the physical name is `<prefix>-<id>`. */
  readonly id: TableId;
  readonly purpose: string;
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  readonly indexes: readonly IndexSpec[];
  /** Attribute holding an epoch-seconds expiry, when the table's rows expire. */
  readonly ttlAttribute?: string;
  /** Rows must outlive any accident: deletion protection and RETAIN in AWS. */
  readonly retain: boolean;
}

export type TableId =
  | 'snapshots'
  | 'identities'
  | 'ledger'
  | 'events'
  | 'tasks'
  | 'guard'
  | 'audit'
  | 'activity'
  | 'reviews'
  | 'notices';

const S = (name: string): KeySpec => ({ name, type: 'S' });

export const TABLES: readonly TableSpec[] = [
  {
    id: 'snapshots',
    purpose:
      'snapshot manifests and the rows each source listed (Google members, IdC and QuickSight users)',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    indexes: [
      { indexName: 'byManifest', partitionKey: S('manifestKind'), sortKey: S('startedAt') },
    ],
    ttlAttribute: 'expiresAt',
    retain: false,
  },
  {
    id: 'identities',
    purpose: 'identity map: IdC userId → person, kept after the user is deleted',
    partitionKey: S('userId'),
    indexes: [{ indexName: 'byEmail', partitionKey: S('email'), sortKey: S('userId') }],
    retain: true,
  },
  {
    id: 'ledger',
    purpose:
      'membership ledger: every person ever listed in a configured group of a COMPLETE snapshot',
    partitionKey: S('email'),
    indexes: [],
    retain: true,
  },
  {
    id: 'events',
    purpose: 'CloudTrail events received, keyed by eventID (processed once), and pending removals',
    partitionKey: S('eventId'),
    indexes: [{ indexName: 'byStatus', partitionKey: S('status'), sortKey: S('receivedAt') }],
    ttlAttribute: 'expiresAt',
    retain: false,
  },
  {
    id: 'tasks',
    purpose: 'durable deletion tasks, one per QuickSight user, with status and lease',
    partitionKey: S('taskId'),
    indexes: [{ indexName: 'byStatus', partitionKey: S('status'), sortKey: S('createdAt') }],
    retain: false,
  },
  {
    id: 'guard',
    purpose:
      "the worker's state across runs: one item holding the deletions reserved in the rolling guard window (the cross-run deletion budget), and one per QuickSight account with the pace the worker last measured",
    partitionKey: S('pk'),
    indexes: [],
    retain: false,
  },
  {
    id: 'audit',
    purpose: 'append-only audit of every decision and outcome',
    partitionKey: S('runId'),
    sortKey: S('sk'),
    indexes: [
      { indexName: 'byEmail', partitionKey: S('email'), sortKey: S('at') },
      { indexName: 'byUserId', partitionKey: S('userId'), sortKey: S('at') },
      { indexName: 'byDay', partitionKey: S('day'), sortKey: S('at') },
    ],
    retain: true,
  },
  {
    id: 'activity',
    purpose:
      'activity record: per QuickSight user the newest and earliest activity, creation evidence and the spans each source observed, plus the CloudTrail sync cursor of each region',
    partitionKey: S('userKey'),
    indexes: [],
    retain: false,
  },
  {
    id: 'reviews',
    purpose:
      'monthly idle reviews: one record per review run (counts, money, deadline, decision, the Step Functions task token)',
    partitionKey: S('runId'),
    indexes: [],
    retain: true,
  },
  {
    id: 'notices',
    purpose:
      "notices to idle users: per QuickSight user the current idle spell's notice (sending, sent, refused, closed)",
    partitionKey: S('userKey'),
    indexes: [],
    retain: false,
  },
];

export function tableSpec(id: TableId): TableSpec {
  const spec = TABLES.find((t) => t.id === id);
  if (!spec) throw new Error(`unknown table ${id}`);
  return spec;
}

export function tableName(prefix: string, id: TableId): string {
  return `${prefix}-${id}`;
}

export type TableNames = Readonly<Record<TableId, string>>;

export function tableNames(prefix: string): TableNames {
  return Object.fromEntries(TABLES.map((t) => [t.id, tableName(prefix, t.id)])) as Record<
    TableId,
    string
  >;
}

/** The CreateTable request of a table (on-demand billing). */
export function createTableInput(prefix: string, spec: TableSpec): CreateTableCommandInput {
  const keys = [
    spec.partitionKey,
    spec.sortKey,
    ...spec.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map<string, AttributeType>();
  for (const k of keys) if (k) attributes.set(k.name, k.type);
  const schema = (pk: KeySpec, sk?: KeySpec) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName(prefix, spec.id),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: schema(spec.partitionKey, spec.sortKey),
    ...(spec.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: spec.indexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: schema(i.partitionKey, i.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
