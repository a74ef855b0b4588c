// The log level as something that changes while the gateway runs: an admin API sets it,
// and SIGUSR2 steps through a cycle (info → debug → trace → info) without a restart.
import type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class LogLevelError extends Error {
  override name = 'LogLevelError';
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

export function assertLogLevel(value: unknown, where = 'log level'): LogLevel {
  if (isLogLevel(value)) return value;
  throw new LogLevelError(
    `${where}: ${JSON.stringify(value)} is not a log level (use one of ${LOG_LEVELS.join(', ')})`,
  );
}

/**
 * Sets the level of a logger and of every child that did not set its own (pino children
 * follow their parent's level). Returns the previous level.
 */
export function setLevel(log: Logger, level: unknown): LogLevel {
  const next = assertLogLevel(level);
  const previous = log.level as LogLevel;
  log.level = next;
  if (previous !== next) log.info({ from: previous, to: next }, 'log level changed');
  return previous;
}

export interface SignalTarget {
  on(signal: NodeJS.Signals, fn: () => void): unknown;
  off(signal: NodeJS.Signals, fn: () => void): unknown;
}

export interface LevelSignalOptions {
  signal?: NodeJS.Signals;
  /** The cycle; a level outside it moves to the first entry. */
  cycle?: readonly LogLevel[];
  /** Where signals come from; the process by default (tests pass an emitter). */
  target?: SignalTarget;
}

export interface Uninstall {
  uninstall(): void;
}

/** Each signal moves the logger to the next level of the cycle. */
export function installLevelSignal(log: Logger, opts: LevelSignalOptions = {}): Uninstall {
  const signal = opts.signal ?? 'SIGUSR2';
  const cycle = opts.cycle ?? (['info', 'debug', 'trace'] as const);
  if (cycle.length === 0) throw new LogLevelError('log level cycle: give at least one level');
  cycle.forEach((l) => assertLogLevel(l, 'log level cycle'));
  const target = opts.target ?? process;
  const step = () => {
    const i = cycle.indexOf(log.level as LogLevel);
    setLevel(log, cycle[(i + 1) % cycle.length]);
  };
  target.on(signal, step);
  let installed = true;
  return {
    uninstall: () => {
      if (installed) target.off(signal, step);
      installed = false;
    },
  };
}
