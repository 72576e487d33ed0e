import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdsyncTables } from '../../infra/constructs/tables.js';
import { createTableInput, TABLES } from '../../shared/tables.js';

describe('IdsyncTables', () => {
  let template: Template;
  let tables: IdsyncTables;

  const build = () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Tables', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    return { stack, tables: new IdsyncTables(stack, 'Tables', { tablePrefix: 'acme' }) };
  };

  beforeAll(() => {
    const built = build();
    tables = built.tables;
    template = Template.fromStack(built.stack);
  });

  it('creates exactly the tables of shared/tables.ts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
    expect([...tables.names.keys()].sort()).toEqual(TABLES.map((t) => t.id).sort());
  });

  it.each(TABLES.map((t) => [t.id, t] as const))(
    '%s: keys, GSIs and attributes are those of the single definition, on demand',
    (_id, spec) => {
      // The same module builds the CreateTable request for `idsync init-tables`: both must agree.
      const expected = createTableInput('acme', spec);
      const gsis = expected.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: { ProjectionType: 'ALL' },
      }));
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: expected.TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: expected.KeySchema,
        AttributeDefinitions: Match.arrayEquals(
          (expected.AttributeDefinitions ?? []).map((a) => Match.objectEquals(a)),
        ),
        GlobalSecondaryIndexes: gsis ? Match.arrayEquals(gsis) : Match.absent(),
      });
    },
  );

  it.each(TABLES.map((t) => [t.id, t] as const))(
    '%s: PITR on, AWS-managed KMS encryption, TTL and retention as the spec says',
    (_id, spec) => {
      const found = template.findResources('AWS::DynamoDB::Table', {
        Properties: { TableName: `acme-${spec.id}` },
      });
      const [resource] = Object.values(found);
      expect(resource).toBeDefined();
      const props = resource?.Properties;
      expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      // SSEEnabled without a key id: the AWS-managed key aws/dynamodb.
      expect(props.SSESpecification).toEqual({ SSEEnabled: true });
      if (spec.ttlAttribute) {
        expect(props.TimeToLiveSpecification).toEqual({
          AttributeName: spec.ttlAttribute,
          Enabled: true,
        });
      } else {
        expect(props.TimeToLiveSpecification).toBeUndefined();
      }
      expect(props.DeletionProtectionEnabled ?? false).toBe(spec.retain);
      expect(resource?.DeletionPolicy).toBe(spec.retain ? 'Retain' : 'Delete');
      expect(resource?.UpdateReplacePolicy).toBe(spec.retain ? 'Retain' : 'Delete');
    },
  );

  it('keeps the identity map, the ledger, the audit and the reviews (retain), and expires snapshot rows', () => {
    expect(TABLES.filter((t) => t.retain).map((t) => t.id)).toEqual([
      'identities',
      'ledger',
      'audit',
      'reviews',
    ]);
    expect(TABLES.find((t) => t.id === 'snapshots')?.ttlAttribute).toBe('expiresAt');
  });

  it('grants audit append as PutItem + Query on the table and its indexes only', () => {
    const { stack, tables } = build();
    const role = new iam.Role(stack, 'AuditWriter', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    tables.grantAuditAppend(role);
    const t = Template.fromStack(stack);
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    const [st] = statements;
    expect([st.Action].flat().sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    const resources = JSON.stringify(st.Resource);
    expect(resources).toContain('/index/*');
    const auditId = stack.getLogicalId(
      (tables.table('audit') as unknown as { node: { defaultChild: never } }).node.defaultChild,
    );
    expect(resources).toContain(auditId);
  });

  it('refuses a read-write grant on the append-only audit table', () => {
    const { stack, tables } = build();
    const role = new iam.Role(stack, 'Nope', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expect(() => tables.grantReadWrite('audit', role)).toThrow(/append-only/);
    expect(() => tables.grantReadWrite('tasks', role)).not.toThrow();
  });
});
