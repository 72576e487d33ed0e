import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

/** A COMPLETE listing's marking of the IdC users it did not show, left to the caller. */
export interface Departures {
  /**
   * Marks them gone, once (later calls return the same promise): the ids marked, or undefined
   * when the marking failed. It never rejects: a failure is logged, and nothing is lost, since
   * the next COMPLETE snapshot marks whoever it does not show either.
   */
  mark(): Promise<readonly string[] | undefined>;
  /** Resolves once a marking started by `mark()` has ended; at once when none was started. */
  settled(): Promise<void>;
}

/**
 * Gone-marks in flight when the caller runs them beside other work (reconcile's worker): few,
 * so the worker's own requests are not kept waiting behind them.
 */
const DEFERRED_GONE_IN_FLIGHT = 4;

/** The gone-marking of a COMPLETE listing as a `Departures`: run once, when first asked, logged. */
export function laterDepartures(
  markGone: (inFlight: number) => Promise<string[]>,
  log: Pick<Logger, 'info' | 'error'>,
): Departures {
  let marking: Promise<readonly string[] | undefined> | undefined;
  return {
    mark() {
      marking ??= markGone(DEFERRED_GONE_IN_FLIGHT).then(
        (ids) => {
          log.info({ gone: ids.length }, 'IdC users the snapshot did not show marked gone');
          return ids;
        },
        (error: unknown) => {
          log.error(
            { error: describeError(error) },
            'marking the IdC users the snapshot did not show as gone failed; the next snapshot marks them',
          );
          return undefined;
        },
      );
      return marking;
    },
    async settled() {
      await marking;
    },
  };
}
