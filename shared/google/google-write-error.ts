import { RemoteServiceError } from '../errors.js';
import type { GoogleFailure } from './google-errors.js';

/**
 * A member write Google refused or did not answer: whether a retry may help, whether it was a
 * throttle (and the server's Retry-After), for the worker's attempt policy.
 */
export class GoogleWriteError extends RemoteServiceError {
  readonly throttled: boolean;
  readonly retryAfterMs?: number;
  constructor(message: string, failure: GoogleFailure) {
    // No cause kept: a gaxios error holds the request's headers, the bearer token among them.
    super('Google Directory', message, { retryable: failure.retryable });
    this.throttled = failure.kind === 'throttled';
    if (failure.retryAfterMs !== undefined) this.retryAfterMs = failure.retryAfterMs;
  }
}
