/**
 * Stopping before the Lambda deadline, written once for every handler (the way middy's
 * `timeoutEarly` does it): an AbortSignal that fires `marginMs` before the invocation's deadline,
 * read from the context's `getRemainingTimeInMillis()` when the invocation starts. The margin is
 * the time the handler keeps for work in flight to finish and save its progress.
 *
 * - remaining ≤ margin: the signal is already aborted (nothing new should start);
 * - remaining > margin: it aborts after `remaining − margin` ms;
 * - no remaining time (no Lambda context): `assumeRemainingMs` stands for it when given,
 *   otherwise the signal never aborts.
 */

/** The part of the Lambda context the deadline reads. */
export interface RemainingTime {
  getRemainingTimeInMillis?(): number;
}

export function deadlineSignal(
  context: RemainingTime | undefined,
  marginMs: number,
  assumeRemainingMs?: number,
): AbortSignal {
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? assumeRemainingMs;
  const controller = new AbortController();
  if (remainingMs === undefined) return controller.signal;
  const leftMs = remainingMs - marginMs;
  if (leftMs <= 0) {
    controller.abort(deadlineReason(marginMs));
    return controller.signal;
  }
  // Unref'd: a pending deadline never keeps the process (or a test) alive.
  setTimeout(() => controller.abort(deadlineReason(marginMs)), leftMs).unref?.();
  return controller.signal;
}

function deadlineReason(marginMs: number): Error {
  const error = new Error(`less than ${marginMs} ms left before the Lambda deadline`);
  error.name = 'TimeoutError';
  return error;
}
