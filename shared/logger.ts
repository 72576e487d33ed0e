import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config/index.js';

export type { Logger } from 'pino';

/** Paths whose values are never written to a log. */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'authorization',
  'Authorization',
  'private_key',
  'privateKey',
  'credentials',
  'sessionToken',
  'secretAccessKey',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
  '*.private_key',
  '*.privateKey',
  '*.credentials',
  '*.sessionToken',
  '*.secretAccessKey',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where records go; tests pass a stream and assert on the JSON lines. Default: stderr. */
  readonly destination?: DestinationStream;
  /** Human-readable output (pino-pretty); default: when stderr is a TTY and no destination given. */
  readonly pretty?: boolean;
  /** Colours in pretty output; default true (the CLI passes false under NO_COLOR). */
  readonly color?: boolean;
  readonly name?: string;
}

/** The one logger factory of idsync. JSON records (for CloudWatch and tests), pretty on a TTY. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    name: options.name ?? 'idsync',
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: {
          destination: 2,
          colorize: options.color ?? true,
          ignore: 'name',
          translateTime: 'SYS:HH:MM:ss',
        },
      },
    });
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}
