import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** A running dynalite: a real DynamoDB implementation on LevelDB, on loopback only. */
export interface DynamoServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface DynamoServerOptions {
  /** LevelDB directory; in memory when omitted. */
  readonly dataDir?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** How long a new table stays CREATING (dynalite's default is 500 ms). */
  readonly createTableMs?: number;
}

export async function startDynamoServer(options: DynamoServerOptions = {}): Promise<DynamoServer> {
  const server: Server = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  // Idle keep-alive sockets stay open longer than any client keeps them, so a client never
  // reuses a socket the server is just closing (an ECONNRESET race under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
