import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decisionRow } from '../../../services/removals/plan/run-plan.js';
import { outcomeRecord } from '../../../services/removals/worker/task-call.js';
import type { DecisionKind, RemovalSource } from '../../../shared/domain.js';
import type { AuditRecord, StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import type { TaskOutcome } from '../../../shared/task.js';

/** Audit rows made by the real row builders of the planner and the worker, for audit tests. */

export interface PersonSpec {
  readonly email: string;
  readonly userName?: string;
  readonly role?: string;
  readonly source?: RemovalSource;
  readonly decision: DecisionKind;
  readonly reason?: string;
  readonly outcome?: TaskOutcome;
  readonly error?: string;
}

const ACCOUNT = '111122223333';

export function decisionOf(runId: string, at: string, p: PersonSpec): AuditRecord {
  const source = p.source ?? 'group_removal';
  return decisionRow(runId, at, {
    email: p.email,
    source,
    sources: [source],
    decision: p.decision,
    reason: p.reason ?? `${p.decision} because of a test`,
    ...(p.userName
      ? {
          quickSightUser: {
            userName: p.userName,
            arn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/${p.userName}`,
            role: p.role ?? 'READER',
            identityType: 'IAM',
          },
        }
      : {}),
  });
}

export function outcomeOf(
  runId: string,
  planRunId: string,
  at: string,
  p: PersonSpec & { userName: string; outcome: TaskOutcome },
): AuditRecord {
  return outcomeRecord({
    runId,
    owner: 'test-worker',
    attempts: p.outcome === 'failed' ? 6 : 1,
    startedAt: at,
    finishedAt: at,
    outcome: p.outcome,
    ...(p.error ? { error: p.error } : {}),
    task: {
      taskId: `default#${p.userName}`,
      status: 'DONE',
      runId: planRunId,
      email: p.email,
      userName: p.userName,
      arn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/${p.userName}`,
      role: p.role ?? 'READER',
      identityType: 'IAM',
      source: p.source ?? 'group_removal',
      reason: p.reason ?? 'test',
      createdAt: at,
      updatedAt: at,
      attempts: 1,
    },
  });
}

/** A plan run's decisions and, in `applyRunId` (the same run for reconcile), their outcomes. */
export function runRows(
  planRunId: string,
  applyRunId: string,
  at: string,
  people: readonly PersonSpec[],
): AuditRecord[] {
  const rows: AuditRecord[] = people.map((p) => decisionOf(planRunId, at, p));
  for (const p of people) {
    if (p.outcome && p.userName)
      rows.push(
        outcomeOf(applyRunId, planRunId, at, { ...p, userName: p.userName, outcome: p.outcome }),
      );
  }
  return rows;
}

/** People with awkward names: commas, quotes, newlines, non-ASCII, markup. */
export const AWKWARD_PEOPLE: readonly PersonSpec[] = [
  {
    email: 'zoe.obrien@example.com',
    userName: "AWSReservedSSO_QuickSightReader_0123/Zoë O'Brien, Jr.",
    decision: 'delete',
    reason: 'READER user "Zoë O\'Brien, Jr." belongs to a leaver',
    outcome: 'deleted',
  },
  {
    email: 'yamada@example.jp',
    userName: 'AWSReservedSSO_QuickSightReader_0123/山田 太郎',
    decision: 'delete',
    reason: 'line1\nline2',
    outcome: 'failed',
    error: 'ThrottlingException: Rate exceeded, "try later"',
  },
  {
    email: 'mallory@example.com',
    userName: 'reader/<img src=x onerror=alert(1)>',
    decision: 'delete',
    reason: '<script>alert("x")</script> & more',
    outcome: 'already_gone',
  },
  {
    email: 'ann@example.com',
    userName: 'admin/ann',
    role: 'ADMIN',
    decision: 'protected',
    reason: 'role ADMIN is protected',
  },
  {
    email: 'typo@exmaple.com',
    source: 'csv',
    decision: 'not_found',
    reason: '=HYPERLINK("x") no QuickSight user',
  },
];

/** Records every command the document client sends: its name and index. */
export function recordCommands(doc: DynamoDBDocumentClient) {
  const sent: { command: string; index?: string }[] = [];
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  (doc as unknown as { send: (c: unknown) => Promise<unknown> }).send = (command) => {
    const c = command as { constructor: { name: string }; input?: { IndexName?: string } };
    sent.push({
      command: c.constructor.name,
      ...(c.input?.IndexName ? { index: c.input.IndexName } : {}),
    });
    return send(command);
  };
  return sent;
}

export async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

export type { StoredAuditRecord };
