import { createRequire } from 'node:module';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIf } from '../../../shared/dynamo/batch.js';
import {
  and,
  type Condition,
  claimable,
  conditionInput,
  leased,
  or,
  replaceable,
  statusIn,
  topLevelOperator,
} from '../../../shared/dynamo/task-conditions.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { isClaimable, isLeased, TASK_STATUSES, type Task } from '../../../shared/task.js';
import { startTestTables } from '../../helpers/tables.js';

let t: Awaited<ReturnType<typeof startTestTables>>;
let store: DynamoTaskStore;
beforeAll(async () => {
  t = await startTestTables();
  store = new DynamoTaskStore(t.doc, t.names.tasks);
});
afterAll(async () => t.close());

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
let counter = 0;

/** Writes a task row as it is, bypassing the store's rules. */
async function putTask(fields: Partial<Task>): Promise<string> {
  const taskId = `default#cond-${counter++}`;
  await t.doc.send(
    new PutCommand({
      TableName: t.names.tasks,
      Item: {
        taskId,
        status: 'PENDING',
        runId: 'plan-1',
        email: `${taskId}@example.com`,
        userName: taskId,
        arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${taskId}`,
        role: 'READER',
        identityType: 'IAM',
        source: 'leaver',
        reason: 'left',
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
        attempts: 0,
        ...fields,
      },
    }),
  );
  return taskId;
}

/** Whether `condition` holds for the stored task: a conditional write that changes nothing of it. */
function holds(taskId: string, condition: Condition): Promise<boolean> {
  return writeIf(
    t.doc.send(
      new UpdateCommand({
        TableName: t.names.tasks,
        Key: { taskId },
        UpdateExpression: 'SET probe = :probe',
        ...conditionInput(condition, { ':probe': counter }),
      }),
    ),
  );
}

const LEASES = [undefined, NOW - 1, NOW, NOW + 1] as const;
const CASES = TASK_STATUSES.flatMap((status) =>
  LEASES.map((leaseUntil) => ({ status, leaseUntil })),
);

describe('the task conditions, as the table evaluates them', () => {
  it('claimable: a lease that ends exactly now still holds; one that ended 1 ms ago is claimable', async () => {
    const endsNow = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: NOW });
    const ended = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: NOW - 1 });
    expect(await store.claim(endsNow, 'w2', 1000, NOW)).toBeUndefined();
    expect((await store.claim(ended, 'w2', 1000, NOW))?.leaseOwner).toBe('w2');
  });

  it('leased: a lease that ends exactly now is held; one that ended 1 ms ago is not', async () => {
    const endsNow = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: NOW });
    const ended = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: NOW - 1 });
    expect(await holds(endsNow, leased(NOW))).toBe(true);
    expect(await holds(ended, leased(NOW))).toBe(false);
  });

  it('claimable and leased agree with isClaimable and isLeased for every status and lease edge', async () => {
    const rows = await Promise.all(
      CASES.map(async (c) => ({
        ...c,
        taskId: await putTask({
          status: c.status,
          ...(c.leaseUntil === undefined ? {} : { leaseOwner: 'w1', leaseUntil: c.leaseUntil }),
        }),
      })),
    );
    const seen = await Promise.all(
      rows.map(async (r) => ({
        case: `${r.status} lease ${r.leaseUntil === undefined ? 'none' : r.leaseUntil - NOW}`,
        claimable: await holds(r.taskId, claimable(NOW)),
        leased: await holds(r.taskId, leased(NOW)),
      })),
    );
    const expected = rows.map((r) => ({
      case: `${r.status} lease ${r.leaseUntil === undefined ? 'none' : r.leaseUntil - NOW}`,
      claimable: isClaimable(r, NOW),
      leased: isLeased(r, NOW),
    }));
    expect(seen).toEqual(expected);
    // Not vacuous: both answers occur.
    expect(seen.filter((s) => s.claimable).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.leased).length).toBeGreaterThan(0);
  });

  it('the store lists the same tasks as claimable and leased as the rules', async () => {
    const at = NOW + 10_000_000;
    const endsNow = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: at });
    const ended = await putTask({ status: 'IN_PROGRESS', leaseOwner: 'w1', leaseUntil: at - 1 });
    const ids = async (pages: AsyncIterable<Task[]>) => {
      const out: string[] = [];
      for await (const page of pages) out.push(...page.map((p) => p.taskId));
      return out;
    };
    const claimableIds = await ids(store.claimable(at));
    const leasedIds = await ids(store.leased(at));
    expect(claimableIds).toContain(ended);
    expect(claimableIds).not.toContain(endsNow);
    expect(leasedIds).toContain(endsNow);
    expect(leasedIds).not.toContain(ended);
  });

  it('replaceable from a snapshot: a task DONE exactly when the data starts is not replaced', async () => {
    const from = '2026-12-05T00:00:00.000Z';
    const doneAt = await putTask({ status: 'DONE', updatedAt: from });
    const doneBefore = await putTask({ status: 'DONE', updatedAt: '2026-12-04T23:59:59.999Z' });
    const cancelled = await putTask({ status: 'CANCELLED', updatedAt: '2026-12-06T00:00:00.000Z' });
    const pending = await putTask({ status: 'PENDING' });
    expect(await holds(doneAt, replaceable(from))).toBe(false);
    expect(await holds(doneBefore, replaceable(from))).toBe(true);
    expect(await holds(cancelled, replaceable(from))).toBe(true);
    expect(await holds(pending, replaceable(from))).toBe(false);
    expect(await holds(doneAt, replaceable())).toBe(true);
    expect(await holds(pending, replaceable())).toBe(false);
  });
});

describe('composing conditions', () => {
  it('parenthesises only what precedence needs (an OR inside an AND) and merges names and values', () => {
    const c = and(statusIn(['PENDING', 'FAILED']), or(statusIn(['DONE']), statusIn(['PENDING'])));
    expect(c.expression).toBe(
      '#status IN (:status_PENDING, :status_FAILED) AND (#status = :status_DONE OR #status = :status_PENDING)',
    );
    expect(c.names).toEqual({ '#status': 'status' });
    expect(c.values).toEqual({
      ':status_PENDING': 'PENDING',
      ':status_FAILED': 'FAILED',
      ':status_DONE': 'DONE',
    });
    // The conditions every task write sends: no pair of parentheses precedence does not need.
    expect(claimable(NOW).expression).toBe(
      'attribute_exists(taskId) AND (#status IN (:status_PENDING, :status_FAILED) OR #status = :status_IN_PROGRESS AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))',
    );
    expect(replaceable('2026-12-05T00:00:00.000Z').expression).toBe(
      'attribute_not_exists(taskId) OR #status = :status_CANCELLED OR #status = :status_DONE AND updatedAt < :before',
    );
  });

  it('names the operator at the top level of an expression', () => {
    expect(topLevelOperator('#status = :s')).toBeUndefined();
    expect(topLevelOperator('#status IN (:a, :b)')).toBeUndefined();
    expect(topLevelOperator('attribute_not_exists(a) OR a < :now')).toBe('OR');
    expect(topLevelOperator('a = :a AND (b = :b OR c = :c)')).toBe('AND');
    expect(topLevelOperator('a = :a or b = :b')).toBe('OR');
    expect(topLevelOperator('a = :a OR b = :b AND c = :c')).toBe('mixed');
    expect(topLevelOperator('a BETWEEN :x AND :y')).toBe('mixed');
    expect(topLevelOperator('NOT a = :a')).toBe('mixed');
  });

  it('a composition parses to the same tree as the same composition with every part parenthesised', () => {
    // The table's own parser (dynalite's, as the sandbox runs it) is the judge of equivalence.
    const parser = createRequire(import.meta.url)('dynalite/db/conditionParser') as {
      parse(expression: string, options: { context: object }): unknown;
    };
    const leaves: Condition[] = [
      { expression: 'a = :a', names: {}, values: { ':a': 1 } },
      { expression: 'attribute_exists(b)', names: {}, values: {} },
      { expression: 'c IN (:c1, :c2)', names: {}, values: { ':c1': 1, ':c2': 2 } },
      { expression: 'attribute_not_exists(d) OR d < :d', names: {}, values: { ':d': 3 } },
      { expression: 'e = :e AND f = :f', names: {}, values: { ':e': 4, ':f': 5 } },
      { expression: 'g BETWEEN :g1 AND :g2', names: {}, values: { ':g1': 6, ':g2': 7 } },
    ];
    type Tree = number | { op: 'AND' | 'OR'; parts: Tree[] };
    const tree = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'xsmall', withCrossShrink: true },
        fc.nat(leaves.length - 1),
        fc.record({
          op: fc.constantFrom('AND' as const, 'OR' as const),
          parts: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
        }),
      ),
    })).tree;
    const compose = (t: Tree): Condition =>
      typeof t === 'number'
        ? (leaves[t] as Condition)
        : (t.op === 'AND' ? and : or)(...t.parts.map(compose));
    const wrapped = (t: Tree): string =>
      typeof t === 'number'
        ? `(${leaves[t]?.expression})`
        : `(${t.parts.map(wrapped).join(` ${t.op} `)})`;
    const parse = (expression: string, values: Record<string, unknown>) => {
      const attrVals = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, { N: String(v) }]),
      );
      const context = {
        attrNames: {},
        attrVals,
        unusedAttrNames: {},
        unusedAttrVals: {},
        isReserved: () => false,
        compare: () => false,
      };
      return parser.parse(expression, { context });
    };
    fc.assert(
      fc.property(tree, (t) => {
        const c = compose(t);
        expect(parse(c.expression, c.values)).toEqual(parse(wrapped(t), c.values));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses parts that give one placeholder two values, and empty compositions', () => {
    const a = { expression: 'x = :v', names: {}, values: { ':v': 1 } };
    const b = { expression: 'y = :v', names: {}, values: { ':v': 2 } };
    expect(() => and(a, b)).toThrow(/disagree on :v/);
    expect(() => or()).toThrow();
    expect(() => statusIn([])).toThrow();
    expect(and(a)).toBe(a);
  });
});
