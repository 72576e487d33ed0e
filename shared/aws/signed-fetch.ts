import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../config/index.js';

/**
 * One SigV4-signed HTTPS call, for the few AWS operations the Lambda functions make without a
 * full SDK client: SQS SendMessageBatch (no @aws-sdk/client-sqs in the dependencies) and
 * QuickSight DeleteUser (the QuickSight client's schema module alone would be a quarter of the
 * worker bundle). Signing is the SDK's own (@smithy/signature-v4), credentials come from the
 * SDK's default provider chain (the Lambda role) unless static ones are configured, and a
 * failed answer becomes an error shaped like an SDK service error (`name` = error code,
 * `$metadata.httpStatusCode`, `$response.headers`, `$fault`), so shared/aws/aws-errors.ts reads
 * it exactly as it reads the SDK's (throttling, 5xx, Retry-After).
 */

export interface SignedFetchOptions {
  /** Signing name: `sqs`, `quicksight`. */
  readonly service: string;
  readonly region: string;
  /** Static credentials; default the SDK's provider chain (environment, then the role). */
  readonly credentials?: AwsCredentials;
  /** Per-call timeout: 15 s. */
  readonly timeoutMs?: number;
}

export interface AwsHttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** Absolute URL; path segments already percent-encoded (see `encodeLabel`). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface AwsHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type SignedFetch = (request: AwsHttpRequest) => Promise<AwsHttpResponse>;

/** A failed AWS call, in the shape of an SDK service exception. */
export class AwsHttpError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string };
  readonly $response?: { readonly headers: Readonly<Record<string, string>> };
  /** Set on network failures: the SDK marks those retryable the same way. */
  readonly $retryable?: { readonly throttling: boolean };
  /** The transport error code (ECONNRESET, UND_ERR_SOCKET, …) of a network failure. */
  readonly code?: string;

  constructor(
    name: string,
    message: string,
    details: {
      status?: number;
      headers?: Readonly<Record<string, string>>;
      members?: Readonly<Record<string, unknown>>;
      code?: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = name;
    const status = details.status;
    this.$fault = status === undefined || status >= 500 ? 'server' : 'client';
    const requestId = details.headers?.['x-amzn-requestid'];
    this.$metadata = {
      ...(status !== undefined ? { httpStatusCode: status } : {}),
      ...(requestId ? { requestId } : {}),
    };
    if (details.headers) this.$response = { headers: details.headers };
    if (status === undefined) this.$retryable = { throttling: false };
    if (details.code) this.code = details.code;
    // Service members such as ResourceType or RetryAfterSeconds, as the SDK exposes them.
    for (const [k, v] of Object.entries(details.members ?? {})) {
      if (!(k in this) && /^[A-Z]/.test(k)) Object.defineProperty(this, k, { value: v });
    }
  }
}

/** A path label as the SDK encodes it (`role/alice@x` → `role%2Falice%40x`). */
export function encodeLabel(label: string): string {
  return encodeURIComponent(label).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** What the signer hashes (the SDK's SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (and HMAC-SHA-256 with a secret) in the shape the signer asks for. */
class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The error code of a failed answer: the x-amzn-errortype header, else the JSON `__type`. */
function errorCodeOf(headers: Record<string, string>, members: Record<string, unknown>): string {
  const raw =
    headers['x-amzn-errortype'] ??
    (typeof members.__type === 'string' ? members.__type : undefined) ??
    (typeof members.code === 'string' ? members.code : undefined) ??
    'UnknownError';
  // `Code:http://internal…` (header) and `com.amazonaws.sqs#QueueDoesNotExist` (__type).
  return raw.split(':')[0]?.split('#').pop() || 'UnknownError';
}

function jsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Builds the signed fetch of one service and region; the credentials are resolved per call. */
export function createSignedFetch(options: SignedFetchOptions): SignedFetch {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials ? { ...options.credentials } : defaultProvider(),
    sha256: NodeSha256,
  });
  const timeoutMs = options.timeoutMs ?? 15_000;
  return async (request) => {
    const url = new URL(request.url);
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers, host: url.host },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    const { host: _host, ...headers } = signed.headers;
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') throw error;
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : 'NetworkError';
      const detail = typeof cause?.message === 'string' ? cause.message : String(error);
      throw new AwsHttpError(code, `${options.service}: no answer (${detail})`, {
        code,
        cause: error,
      });
    }
    const body = await response.text();
    const responseHeaders = Object.fromEntries(response.headers);
    if (response.ok) return { status: response.status, headers: responseHeaders, body };
    const members = jsonObject(body);
    const message =
      [members.Message, members.message].find((m) => typeof m === 'string') ??
      `HTTP ${response.status}`;
    throw new AwsHttpError(errorCodeOf(responseHeaders, members), String(message), {
      status: response.status,
      headers: responseHeaders,
      members,
    });
  };
}
