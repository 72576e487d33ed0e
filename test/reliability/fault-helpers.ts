import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { activityUserName } from '../../shared/activity-record.js';
import { DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import type { Task } from '../../shared/task.js';
import type { TestSandbox } from '../helpers/sandbox.js';

/**
 * What the fault-matrix suites share (test/reliability/fault-matrix*.test.ts; RELIABILITY.md,
 * "Fault matrix"): the real CLI as a child process that can be SIGKILLed, and the invariants
 * checked after every case.
 */

const BIN = fileURLToPath(new URL('../../bin/idsync.js', import.meta.url));

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/idsync.js …` against the sandbox, with `settings` on top of its environment. */
export function spawnIdsync(
  t: TestSandbox,
  args: readonly string[],
  settings: Readonly<Record<string, string>>,
): { child: ChildProcess; done: Promise<Ran> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...t.sandbox.env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-20_000);
  });
  const done = new Promise<Ran>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Polls `reached` every few ms until it holds (→ its label) or `run` ends first (→ undefined). */
export async function until(
  run: Promise<unknown>,
  reached: () => string | undefined | Promise<string | undefined>,
): Promise<string | undefined> {
  let ended = false;
  void run.then(() => {
    ended = true;
  });
  for (;;) {
    if (ended) return undefined;
    const label = await reached();
    if (label !== undefined) return label;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A V8 stack-trace line: no run may print one, whatever went wrong. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

export async function taskRows(t: TestSandbox): Promise<Task[]> {
  const scan = await t.doc.send(new ScanCommand({ TableName: t.names.tasks }));
  return (scan.Items ?? []) as Task[];
}

/** Tasks not yet DONE among those of `keys` (the stand-in's delete keys: activityUserName). */
export async function notDone(t: TestSandbox, keys: ReadonlySet<string>): Promise<number> {
  return (await taskRows(t)).filter(
    (task) => keys.has(activityUserName(task)) && task.status !== 'DONE',
  ).length;
}

/**
 * The invariants over everything planned so far (the stand-in's delete key — the user name, or
 * `N/A#principal` — → email): each planned
 * deletion happened exactly once, nothing else was deleted, each deleted person has exactly one
 * outcome row and it says `deleted`.
 */
export async function expectConverged(
  t: TestSandbox,
  planned: ReadonlyMap<string, string>,
): Promise<void> {
  const deletes = t.sandbox.org.quickSight.deletes;
  const wrong = [...planned.keys()].filter((k) => deletes.get(k) !== 1);
  expect(wrong.map((k) => [k, deletes.get(k) ?? 0])).toEqual([]);
  expect([...deletes.keys()].filter((k) => !planned.has(k))).toEqual([]);
  const audit = new DynamoAuditLog(t.doc, t.names.audit);
  for (const email of new Set(planned.values())) {
    const rows: string[] = [];
    for await (const page of audit.byEmail(email))
      for (const r of page) if (r.kind === 'outcome') rows.push(r.outcome ?? '?');
    const users = [...planned.values()].filter((e) => e === email).length;
    expect({ email, rows }).toEqual({
      email,
      rows: Array.from({ length: users }, () => 'deleted'),
    });
  }
}
