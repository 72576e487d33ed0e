import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoServer } from '../dynamo-server.js';
import type { FaultCounters, FaultSettings, Faults } from '../http/faults.js';
import type { SesState } from '../state/ses-state.js';
import type { StsState } from '../sts/sts-state.js';
import {
  applyFaultAssignment,
  FAULT_TARGETS,
  FaultAssignmentError,
  type FaultTarget,
  parseFaultAssignment,
} from './fault-assignments.js';
import { stsControl } from './sts-control.js';
import type { World } from './world.js';
import { WorldControlError } from './world.js';
import { isWorldControl, WORLD_CONTROLS } from './world-routes.js';

/**
 * The sandbox's control endpoint: changes faults and stops/starts DynamoDB while the sandbox
 * runs, from another process (`idsync sandbox fault …`, a test, curl). Loopback only, and its
 * URL holds a random token, so only whoever read the sandbox's output can use it.
 *
 * - `GET  <url>/state` → `{ faults: { quicksight: {settings, counters}, … }, dynamodb: { running } }`
 * - `POST <url>/faults` body `{ "set": ["qs.errorRate=0.5", "idc=off"] }` → the new state
 * - `GET  <url>/outbox` → `{ messages }`: the SES stand-in's accepted messages; `POST
 *   <url>/outbox/clear` empties it
 * - `POST <url>/dynamodb/stop`, `POST <url>/dynamodb/start` → the new state
 * - `POST <url>/world/<leave|join|move|sync|activity|new-user>` with the request as JSON → what
 *   changed (world-routes.ts), when started with a `world`
 * - `GET <url>/sts` → who assumed which role (sts-control.ts); `POST <url>/sts` body
 *   `{"sessionSeconds": 60}` (or `null`) sets how long the roles' sessions last
 * - `GET  <url>/notices` → `{ notices: [...] }`: the operator topic's messages (SNS stand-in)
 */

export interface ControlTargets {
  readonly faults: Readonly<Record<FaultTarget, Faults>>;
  readonly dynamo: DynamoServer;
  /** CloudTrail's knobs of one region (`ct@REGION.…`), and the regions that have some. */
  readonly cloudTrailRegion?: {
    faultsFor(region: string): Faults;
    readonly regionFaults: ReadonlyMap<string, Faults>;
  };
  /** The SES stand-in's outbox (`GET /outbox`, `POST /outbox/clear`). */
  readonly outbox?: Pick<SesState, 'outbox' | 'clear'>;
  /** The organisation and CloudTrail events the world controls change (world.ts). */
  readonly world?: World;
  /** The STS stand-in's roles and record (sts-control.ts). */
  readonly sts?: StsState;
  /** The messages the SNS stand-in accepted on the operator topic (`GET /notices`). */
  readonly notices?: () => readonly unknown[];
}

export interface ControlServer {
  /** `http://127.0.0.1:PORT/TOKEN` */
  readonly url: string;
  close(): Promise<void>;
}

export interface ControlState {
  /** By target, and `cloudtrail@<region>` for each other CloudTrail region called so far. */
  readonly faults: Record<string, { settings: FaultSettings; counters: FaultCounters }>;
  readonly dynamodb: { readonly running: boolean };
}

function stateOf(targets: ControlTargets): ControlState {
  const faults: ControlState['faults'] = {};
  for (const t of FAULT_TARGETS)
    faults[t] = {
      settings: targets.faults[t].current,
      counters: { ...targets.faults[t].counters },
    };
  for (const [region, f] of targets.cloudTrailRegion?.regionFaults ?? [])
    if (f !== targets.faults.cloudtrail)
      faults[`cloudtrail@${region}`] = { settings: f.current, counters: { ...f.counters } };
  return { faults, dynamodb: { running: targets.dynamo.running } };
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64_000) throw new FaultAssignmentError('request body too large');
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new FaultAssignmentError('request body is not JSON');
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Applies assignments all or none: one bad word changes nothing. */
export function applyAssignments(targets: ControlTargets, words: readonly string[]): void {
  const next = new Map<Faults, FaultSettings>();
  for (const word of words) {
    const a = parseFaultAssignment(word);
    let faults = targets.faults[a.target];
    if (a.region !== undefined) {
      if (!targets.cloudTrailRegion)
        throw new FaultAssignmentError(`${JSON.stringify(word)}: this sandbox has no regions`);
      faults = targets.cloudTrailRegion.faultsFor(a.region);
    }
    next.set(faults, applyFaultAssignment(next.get(faults) ?? faults.current, a));
  }
  for (const [faults, settings] of next) faults.configure(settings);
}

export async function startControlServer(targets: ControlTargets): Promise<ControlServer> {
  const token = randomBytes(12).toString('hex');
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(`/${token}/`)) return reply(res, 404, { error: 'not found' });
      const route = `${req.method} ${path.slice(token.length + 1)}`;
      try {
        if (route === 'GET /state') return reply(res, 200, stateOf(targets));
        if (route === 'GET /notices' && targets.notices)
          return reply(res, 200, { notices: targets.notices() });
        if (route === 'POST /faults') {
          const body = (await bodyOf(req)) as { set?: unknown };
          if (!Array.isArray(body.set) || !body.set.every((w) => typeof w === 'string'))
            throw new FaultAssignmentError('expected {"set": ["qs.errorRate=0.5", …]}');
          applyAssignments(targets, body.set as string[]);
          return reply(res, 200, stateOf(targets));
        }
        if (route === 'GET /outbox' && targets.outbox)
          return reply(res, 200, { messages: targets.outbox.outbox });
        if (route === 'POST /outbox/clear' && targets.outbox)
          return reply(res, 200, { cleared: targets.outbox.clear(), messages: [] });
        if (route === 'POST /dynamodb/stop') {
          await targets.dynamo.stop();
          return reply(res, 200, stateOf(targets));
        }
        if (route === 'POST /dynamodb/start') {
          await targets.dynamo.start();
          return reply(res, 200, stateOf(targets));
        }
        if (targets.sts && (route === 'GET /sts' || route === 'POST /sts'))
          return reply(
            res,
            200,
            stsControl(targets.sts, route === 'POST /sts' ? await bodyOf(req) : undefined),
          );
        const world = route.match(/^POST \/world\/([\w-]+)$/)?.[1];
        if (world !== undefined && targets.world && isWorldControl(world)) {
          const body = await bodyOf(req);
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            throw new WorldControlError('expected a JSON object');
          return reply(
            res,
            200,
            WORLD_CONTROLS[world](targets.world, body as Record<string, unknown>),
          );
        }
        return reply(res, 404, { error: `no route ${route}` });
      } catch (error) {
        const bad = error instanceof FaultAssignmentError || error instanceof WorldControlError;
        return reply(res, bad ? 400 : 500, { error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
