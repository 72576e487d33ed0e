import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extensionSecretReader } from '../../shared/google/secrets-extension.js';

/** The session token the stand-in accepts (the function's AWS_SESSION_TOKEN in AWS). */
export const TOKEN = 'session-token-of-the-function';
const FAST = { baseMs: 1, capMs: 5, maxAttempts: 3 };

/**
 * A loopback stand-in of the AWS Parameters and Secrets Lambda Extension: GET
 * /secretsmanager/get?secretId=… with the X-Aws-Parameters-Secrets-Token header, answering
 * GetSecretValue JSON. `failNext` answers 500 that many times first.
 */
export async function startSecretsExtension(secrets: Map<string, string>) {
  const state = { requests: 0, failNext: 0, lastToken: '' };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    state.lastToken = String(req.headers['x-aws-parameters-secrets-token'] ?? '');
    if (state.lastToken !== TOKEN) {
      res.writeHead(401).end('not authorized');
      return;
    }
    if (state.failNext > 0) {
      state.failNext--;
      res.writeHead(500).end('internal error');
      return;
    }
    const id = url.searchParams.get('secretId') ?? '';
    const value = url.pathname === '/secretsmanager/get' ? secrets.get(id) : undefined;
    if (value === undefined) {
      res.writeHead(400).end('ResourceNotFoundException: secret not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ ARN: id, Name: 'idsync/google-key', SecretString: value, VersionId: 'v1' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    state,
    reader: (token = TOKEN) =>
      extensionSecretReader({ port, host: '127.0.0.1', sessionToken: token, retry: FAST }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
