// The drain's life: running → draining → stopped, nothing else.

export type DrainState = 'running' | 'draining' | 'stopped';

const LEGAL: Readonly<Record<DrainState, readonly DrainState[]>> = {
  running: ['draining'],
  draining: ['stopped'],
  stopped: [],
};

export class IllegalDrainTransitionError extends Error {
  override name = 'IllegalDrainTransitionError';
}

export function assertDrainMove(from: DrainState, to: DrainState): void {
  if (!LEGAL[from].includes(to))
    throw new IllegalDrainTransitionError(`drain: illegal move ${from} → ${to}`);
}
