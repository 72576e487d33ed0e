/**
 * A baseline deletion policy in its own process (see ./baseline-policies.ts), so it gets a CPU
 * core of its own like idsync's worker does: `node --import tsx baseline-child.ts '<json>'`.
 * Deletes users `leaver0` … `leaver<count-1>` of the sandbox at the given endpoints after the
 * parent's `go`, and reports over IPC.
 */
import {
  leaverUser,
  type WorkerEndpoints,
} from '../../services/removals/worker/fixtures/worker-sandbox.js';
import {
  type BaselineOptions,
  type BaselineResult,
  baselineClient,
  runBaseline,
} from './baseline-policies.js';

export interface BaselineChildConfig {
  readonly endpoints: WorkerEndpoints;
  readonly count: number;
  readonly options: BaselineOptions;
}

const config = JSON.parse(process.argv[2] ?? '{}') as BaselineChildConfig;
const users = Array.from({ length: config.count }, (_, i) => leaverUser(i));
const client = baselineClient(config.endpoints, config.options);
const go = new Promise<void>((resolve) =>
  process.on('message', (m: { type?: string }) => m.type === 'go' && resolve()),
);
process.send?.({ type: 'ready' });
await go;
const result: BaselineResult = await runBaseline(client, config.endpoints, users, config.options);
process.send?.({ type: 'done', ...result });
client.destroy();
process.disconnect?.();
