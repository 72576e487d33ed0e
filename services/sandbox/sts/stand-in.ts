import type { IncomingMessage, ServerResponse } from 'node:http';
import { Faults } from '../http/faults.js';
import { delay, startServer } from '../http/server.js';
import { accessKeyOf } from '../http/signed-by.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import { assumeRoleParams } from './assume-role-params.js';
import type { StsState } from './sts-state.js';
import { assumeRoleReply, errorXml, STS_VERSION, type XmlReply } from './wire.js';

/**
 * The STS stand-in (Query protocol: form-encoded `POST /`, XML answers): AssumeRole of the roles
 * in its `StsState`, on 127.0.0.1, so the SDK's own `fromTemporaryCredentials` runs unchanged
 * against it (AWS_ENDPOINT_URL_STS). Each call is recorded in the state (role, session name,
 * external id, signing key, time); a role it does not know, or a wrong or missing external id,
 * is refused as STS refuses it (`AccessDenied`, "User: … is not authorized to perform:
 * sts:AssumeRole on resource: …"). Throttling and server errors come from the fault knobs.
 */

export interface StsStandIn extends StandIn {
  readonly state: StsState;
}

export async function startStsStandIn(
  state: StsState,
  options: StandInOptions = {},
): Promise<StsStandIn> {
  const faults = new Faults(options.faults, options.random);

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const action = faults.decide();
    await delay(faults.latencyMs);
    if (action.kind === 'reset') return void req.socket.destroy();
    if (action.kind === 'throttle') return send(res, errorXml('Throttling', 'Rate exceeded'));
    if (action.kind === 'error')
      return send(res, errorXml('InternalFailure', 'An internal error occurred.'));
    send(res, answer(state, req, raw));
  };

  const server = await startServer(handle, options.port ?? 0);
  return { endpoint: server.endpoint, faults, state, close: () => server.close() };
}

function answer(state: StsState, req: IncomingMessage, raw: Buffer): XmlReply {
  const form = new URLSearchParams(req.method === 'POST' ? raw.toString('utf8') : '');
  if (form.get('Action') !== 'AssumeRole' || form.get('Version') !== STS_VERSION)
    return errorXml(
      'InvalidAction',
      `Could not find operation ${form.get('Action') ?? ''} for version ${form.get('Version') ?? ''}`,
    );
  const source = accessKeyOf(req) ?? '';
  const params = assumeRoleParams(form);
  if ('code' in params) {
    state.recordRefusal(
      {
        roleArn: form.get('RoleArn') ?? '',
        sessionName: form.get('RoleSessionName') ?? '',
      },
      source,
      params.code,
    );
    return errorXml(params.code, params.message);
  }
  const caller =
    state.session(source)?.assumedRoleArn ?? `arn:aws:iam::${state.accountId}:user/${source}`;
  const issued = state.assumeRole(params, source, caller);
  return 'code' in issued ? errorXml(issued.code, issued.message) : assumeRoleReply(issued);
}

function send(res: ServerResponse, reply: XmlReply): void {
  res.writeHead(reply.status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
