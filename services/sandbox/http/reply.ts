import type { ServerResponse } from 'node:http';
import { sendJson } from './server.js';

/**
 * An answer of a JSON stand-in as data: the operations compute it, the server sends it.
 * Generic over the wire protocol (the QuickSight and IdentityStore stand-ins both use it).
 */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  sendJson(res, reply.status, reply.body, reply.headers);
}
