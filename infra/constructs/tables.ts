import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  type KeySpec,
  TABLES,
  type TableId,
  type TableSpec,
  tableName,
} from '../../shared/tables.js';

export interface IdsyncTablesProps {
  /** `IDSYNC_TABLE_PREFIX`: physical names are `<prefix>-<id>`. @default 'idsync' */
  readonly tablePrefix?: string;
  /** The table definitions. @default TABLES of shared/tables.ts (the one definition) */
  readonly specs?: readonly TableSpec[];
}

/** DynamoDB actions a service may use on the append-only audit table: write new rows, query. */
export const AUDIT_APPEND_ACTIONS = ['dynamodb:PutItem', 'dynamodb:Query'] as const;

const key = (k: KeySpec): dynamodb.Attribute => ({
  name: k.name,
  type: k.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * Every table of shared/tables.ts: on-demand, point-in-time recovery, AWS-managed KMS encryption,
 * TTL where the spec names an attribute, deletion protection and RETAIN where the spec says
 * `retain` (identity map, ledger, audit). Access is granted through the methods below only;
 * the audit table can be appended to and queried, never updated or deleted from.
 */
export class IdsyncTables extends Construct {
  readonly prefix: string;
  private readonly tables = new Map<TableId, dynamodb.Table>();

  constructor(scope: Construct, id: string, props: IdsyncTablesProps = {}) {
    super(scope, id);
    this.prefix = props.tablePrefix ?? 'idsync';
    for (const spec of props.specs ?? TABLES) {
      const table = new dynamodb.Table(this, spec.id, {
        tableName: tableName(this.prefix, spec.id),
        partitionKey: key(spec.partitionKey),
        ...(spec.sortKey ? { sortKey: key(spec.sortKey) } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
        deletionProtection: spec.retain,
        removalPolicy: spec.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of spec.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: key(index.partitionKey),
          ...(index.sortKey ? { sortKey: key(index.sortKey) } : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tables.set(spec.id, table);
    }
  }

  /** The table of a logical id. */
  table(id: TableId): dynamodb.ITable {
    const table = this.tables.get(id);
    if (!table) throw new Error(`no table ${id} in this stack`);
    return table;
  }

  /** Name of every table, by logical id, e.g. for outputs. */
  get names(): ReadonlyMap<TableId, string> {
    return new Map([...this.tables].map(([id, t]) => [id, t.tableName]));
  }

  /** Read (Get/BatchGet/Query/Scan/DescribeTable) on a table and its indexes. */
  grantRead(id: TableId, grantee: iam.IGrantable): iam.Grant {
    return this.table(id).grantReadData(grantee);
  }

  /** Read and write (including delete) on a table. Refused for the append-only audit table. */
  grantReadWrite(id: TableId, grantee: iam.IGrantable): iam.Grant {
    if (id === 'audit') {
      throw new Error('the audit table is append-only: use grantAuditAppend');
    }
    return this.table(id).grantReadWriteData(grantee);
  }

  /** PutItem and Query on the audit table and its indexes; no update, delete or batch write. */
  grantAuditAppend(grantee: iam.IGrantable): iam.Grant {
    return this.table('audit').grant(grantee, ...AUDIT_APPEND_ACTIONS);
  }
}
