// SIGTERM/SIGINT → drain; a second one → force. The owner decides what happens once
// drained (typically: stop the gateway, then let the process exit).
import type { Logger } from 'pino';
import type { DrainController, DrainResult } from './drain-controller';

export interface SignalSource {
  on(signal: NodeJS.Signals, fn: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, fn: (signal: NodeJS.Signals) => void): unknown;
}

export interface DrainSignalOptions {
  signals?: NodeJS.Signals[];
  /** The process by default; tests pass an emitter. */
  target?: SignalSource;
  onDrained?: (result: DrainResult) => void;
  log?: Logger;
}

export function installDrainSignals(
  drain: DrainController,
  opts: DrainSignalOptions = {},
): { uninstall(): void } {
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const target = opts.target ?? process;
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      opts.log?.info({ signal }, 'shutdown requested: draining (send it again to end calls now)');
      void drain.drain().then((r) => opts.onDrained?.(r));
    } else {
      opts.log?.warn({ signal }, 'shutdown requested again: ending calls now');
      void drain.force();
    }
  };
  for (const s of signals) target.on(s, onSignal);
  let installed = true;
  return {
    uninstall: () => {
      if (installed) for (const s of signals) target.off(s, onSignal);
      installed = false;
    },
  };
}
