import type { FaultSettings, Faults } from './faults.js';
import type { CallerCheck } from './signed-by.js';

/** A running wire-level stand-in of a cloud API. */
export interface StandIn {
  /** Base URL, always on 127.0.0.1. */
  readonly endpoint: string;
  /** Fault knobs and call counters; `faults.configure()` changes them at run time. */
  readonly faults: Faults;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** 0 or unset: a free port. */
  readonly port?: number;
  readonly faults?: FaultSettings;
  /** Randomness of the fault decisions (tests pass a seeded one). */
  readonly random?: () => number;
  /**
   * Asked before each call whether its signer may make it (the sandbox's role routing,
   * services/sandbox/sts/role-check.ts); unset: any signer may.
   */
  readonly callerCheck?: CallerCheck;
}
