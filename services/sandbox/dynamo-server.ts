import { type IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** A running dynalite: a real DynamoDB implementation on LevelDB, on loopback only. */
export interface DynamoServer {
  readonly endpoint: string;
  /** Whether it accepts connections (false between `stop()` and `start()`). */
  readonly running: boolean;
  /**
   * Stops serving, as an outage does: the port is closed and open connections are cut, so
   * clients fail with ECONNREFUSED/ECONNRESET; the data stays (the database is not closed, so
   * requests in flight finish against it instead of failing with "Database is closed").
   */
  stop(): Promise<void>;
  /** Serves again on the same port, with the same data. */
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Calls to watch requests as they arrive (epoch ms, the operation from X-Amz-Target, e.g.
   * `PutItem`, and the tables the request names, once its body is read); the reconcile benchmark
   * counts them per part of the run. Returns an unsubscribe.
   */
  onRequest(
    listener: (at: number, operation: string, tables: readonly string[]) => void,
  ): () => void;
}

export interface DynamoServerOptions {
  /** LevelDB directory; in memory when omitted. */
  readonly dataDir?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** How long a new table stays CREATING (dynalite's default is 500 ms). */
  readonly createTableMs?: number;
}

/** The tables a request's JSON body names (`TableName`, or the keys of `RequestItems`). */
function tablesOf(body: Buffer): string[] {
  try {
    const request = JSON.parse(body.toString('utf8')) as {
      TableName?: unknown;
      RequestItems?: Record<string, unknown>;
    };
    if (typeof request.TableName === 'string') return [request.TableName];
    return Object.keys(request.RequestItems ?? {});
  } catch {
    return [];
  }
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
  // dynalite replaces `close` with one that also closes the database; stop/start use the plain
  // http.Server methods, which leave it open.
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        resolve();
      };
      (Server.prototype.listen as (p: number, h: string, cb: () => void) => Server).call(
        server,
        port,
        '127.0.0.1',
        done,
      );
    });
  await listen(options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  let running = true;
  let closed = false;
  return {
    onRequest: (listener) => {
      const tap = (req: IncomingMessage) => {
        const at = Date.now();
        const target = String(req.headers['x-amz-target'] ?? '');
        const chunks: Buffer[] = [];
        // A second reader of the body: dynalite's own 'data' listener still gets every chunk.
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () =>
          listener(at, target.slice(target.indexOf('.') + 1), tablesOf(Buffer.concat(chunks))),
        );
      };
      server.on('request', tap);
      return () => server.off('request', tap);
    },
    endpoint: `http://127.0.0.1:${port}`,
    get running() {
      return running;
    },
    stop: async () => {
      if (!running) return;
      running = false;
      await new Promise<void>((resolve) => {
        Server.prototype.close.call(server, () => resolve());
        server.closeAllConnections?.();
      });
    },
    start: async () => {
      if (running || closed) return;
      await listen(port);
      running = true;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // Cut the clients first, then close the database through dynalite's own close.
      if (!running) await listen(port).catch(() => undefined);
      running = false;
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
}
