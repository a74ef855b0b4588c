// Time as a dependency, so transaction timers can be driven by a fake clock in tests.
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  setTimer(ms: number, fn: () => void): TimerHandle;
  now(): number;
}

export const realClock: Clock = {
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  now: () => Date.now(),
};

/** RFC 3261 §17.1.1.1 timer values (Table 4). All in milliseconds. */
export interface TimerValues {
  /** RTT estimate, default 500 ms. */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  T2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  T4: number;
}

export const DEFAULT_TIMERS: TimerValues = { T1: 500, T2: 4000, T4: 5000 };
