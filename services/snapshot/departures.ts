import type { Logger } from '../../shared/logger.js';

/** A COMPLETE listing's marking of the IdC users it did not show, left to the caller. */
export interface Departures {
  /** Marks them gone (once; later calls return the same promise); the ids marked. */
  mark(): Promise<readonly string[]>;
}

/**
 * Gone-marks in flight when the caller runs them beside other work (reconcile's worker): few,
 * so the worker's own requests are not kept waiting behind them.
 */
const DEFERRED_GONE_IN_FLIGHT = 4;

/** The gone-marking of a COMPLETE listing as a `Departures`: run once, when first asked, logged. */
export function laterDepartures(
  markGone: (inFlight: number) => Promise<string[]>,
  log: Pick<Logger, 'info'>,
): Departures {
  let marking: Promise<readonly string[]> | undefined;
  return {
    mark() {
      marking ??= markGone(DEFERRED_GONE_IN_FLIGHT).then((ids) => {
        log.info({ gone: ids.length }, 'IdC users the snapshot did not show marked gone');
        return ids;
      });
      return marking;
    },
  };
}
