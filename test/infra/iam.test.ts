import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { JOBS, type Job } from '../../infra/constructs/idsync-function.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { TABLE_ACCESS } from '../../infra/stacks/table-access.js';
import type { TableId } from '../../shared/tables.js';
import { fixtureStack } from './fixture-stack.js';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const actionsOf = (s: Statement) => [s.Action].flat().sort();
const READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

describe('IAM least privilege', () => {
  let stack: IdsyncStack;
  let template: Template;
  let byJob: Record<Job, Statement[]>;
  let all: Statement[];

  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  const tableId = (id: TableId) => logicalId(stack.tables.table(id) as never);
  const mentions = (s: Statement, id: string) => JSON.stringify(s.Resource).includes(`"${id}"`);

  beforeAll(() => {
    ({ stack, template } = fixtureStack({ quickSightRegion: 'eu-west-1', namespace: 'readers' }));
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    all = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    byJob = Object.fromEntries(
      JOBS.map((job) => {
        const role = logicalId(stack.functions[job]?.role as never);
        const mine = policies.filter(
          (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]),
        );
        return [job, mine.flatMap((p) => p.Properties.PolicyDocument.Statement)];
      }),
    ) as Record<Job, Statement[]>;
  });

  it('has no wildcard action and no wildcard resource in any policy, and only Allow statements', () => {
    expect(all.length).toBeGreaterThan(10);
    // The one exception: cloudtrail:LookupEvents has no resource type, `*` is its only resource
    // (nag-acknowledgments.ts); that statement holds this action alone, on the activity role.
    const lookup = (s: Statement) =>
      JSON.stringify(actionsOf(s)) === JSON.stringify(['cloudtrail:LookupEvents']) &&
      s.Resource === '*';
    for (const s of all) {
      expect(s.Effect).toBe('Allow');
      for (const a of actionsOf(s)) expect(a).not.toContain('*');
      if (lookup(s)) continue;
      for (const r of [s.Resource].flat()) expect(r).not.toBe('*');
    }
    expect(all.filter(lookup)).toHaveLength(1);
    expect(byJob.activity.filter(lookup)).toHaveLength(1);
    const anyCloudTrail = all.filter((s) => actionsOf(s).some((a) => a.startsWith('cloudtrail:')));
    expect(anyCloudTrail).toEqual(all.filter(lookup));
    // Roles carry no managed policies (e.g. AWSLambdaBasicExecutionRole): everything is inline here.
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives no function DeleteItem, UpdateItem or BatchWriteItem on the audit table: PutItem + Query only', () => {
    const audit = tableId('audit');
    for (const job of JOBS) {
      const onAudit = byJob[job].filter((s) => mentions(s, audit));
      expect(onAudit).toHaveLength(1);
      expect(actionsOf(onAudit[0] as Statement)).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    }
    const everyAuditAction = all.filter((s) => mentions(s, audit)).flatMap(actionsOf);
    for (const forbidden of [
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(everyAuditAction).not.toContain(forbidden);
    }
  });

  it('grants each job exactly its tables: read-only ones without write actions', () => {
    for (const job of JOBS) {
      const { read, readWrite } = TABLE_ACCESS[job];
      for (const id of [
        'snapshots',
        'identities',
        'ledger',
        'events',
        'tasks',
        'activity',
      ] as TableId[]) {
        const actions = byJob[job].filter((s) => mentions(s, tableId(id))).flatMap(actionsOf);
        if (readWrite.includes(id)) expect(actions.sort()).toEqual([...READ, ...WRITE].sort());
        else if (read.includes(id)) expect(actions.sort()).toEqual(READ);
        else expect(actions).toEqual([]);
      }
    }
  });

  it('lets the worker read, never write, what the idle re-judge reads: activity record and identity map', () => {
    for (const id of ['activity', 'identities'] as TableId[]) {
      const actions = byJob.worker.filter((s) => mentions(s, tableId(id))).flatMap(actionsOf);
      expect(actions.sort(), id).toEqual(READ);
    }
  });

  it('scopes QuickSight to the users of one namespace in the identity region', () => {
    const quickSight = (job: Job) =>
      byJob[job].filter((s) => actionsOf(s).some((a) => a.startsWith('quicksight:')));
    const usersArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':quicksight:eu-west-1:123456789012:user/readers/*'],
      ],
    };
    expect(quickSight('snapshot').map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['quicksight:ListUsers'], usersArn],
    ]);
    const [deletes, handover, ...more] = quickSight('worker');
    expect(more).toEqual([]);
    if (!deletes || !handover) throw new Error('the worker has two QuickSight statements');
    expect([actionsOf(deletes), deletes.Resource]).toEqual([
      ['quicksight:DeleteUser', 'quicksight:DeleteUserByPrincipalId', 'quicksight:UpdateUser'],
      usersArn,
    ]);
    // The asset handover: reads and permission grants on the asset types of one account and
    // region, DescribeUser on the namespace's users; never an asset deletion, never `*`.
    const handoverActions = actionsOf(handover);
    expect(handoverActions).toContain('quicksight:SearchDashboards');
    expect(handoverActions).toContain('quicksight:UpdateTopicPermissions');
    expect(handoverActions).toContain('quicksight:DescribeUser');
    expect(handoverActions.filter((a) => /Delete|\*/.test(a))).toEqual([]);
    const resources = JSON.stringify(handover.Resource);
    expect(resources).toContain(':quicksight:eu-west-1:123456789012:dashboard/*');
    expect(resources).toContain(':quicksight:eu-west-1:123456789012:topic/*');
    expect(resources).toContain('user/readers/*');
    expect(resources).not.toMatch(/"\*"/);
    expect(quickSight('plan')).toEqual([]);
    expect(quickSight('events')).toEqual([]);
    expect(quickSight('activity')).toEqual([]);
  });

  it('scopes IdentityStore to the one identity store (plus user/* where DescribeUser needs it)', () => {
    const idc = (job: Job) =>
      byJob[job].filter((s) => actionsOf(s).some((a) => a.startsWith('identitystore:')));
    const store = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':identitystore::123456789012:identitystore/d-1234567890',
        ],
      ],
    };
    const users = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':identitystore:::user/*']],
    };
    expect(idc('snapshot').map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['identitystore:ListUsers'], store],
    ]);
    expect(idc('events').map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['identitystore:DescribeUser'], [store, users]],
    ]);
    expect(idc('plan')).toEqual([]);
    expect(idc('worker')).toEqual([]);
  });

  it('lets only the snapshot read the Google key, and only plan, events and review send to the queue', () => {
    const secret = logicalId(stack.googleKey);
    const queue = logicalId(stack.workQueue.queue);
    for (const job of JOBS) {
      const onSecret = byJob[job].filter((s) => mentions(s, secret)).flatMap(actionsOf);
      expect(onSecret).toEqual(
        job === 'snapshot'
          ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']
          : [],
      );
      const send = byJob[job].filter((s) => mentions(s, queue)).flatMap(actionsOf);
      if (job === 'plan' || job === 'events' || job === 'review') {
        expect(send).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
      } else if (job === 'worker') {
        expect(send).toEqual([
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ]);
      } else {
        expect(send).toEqual([]);
      }
    }
  });

  it('lets each function write only its own log group', () => {
    for (const job of JOBS) {
      const f = stack.functions[job];
      if (!f) throw new Error(job);
      const logs = byJob[job].filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(actionsOf(logs[0] as Statement)).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
      expect(mentions(logs[0] as Statement, logicalId(f.logGroup))).toBe(true);
    }
  });
});
