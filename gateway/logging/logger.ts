// The gateway's logger: JSON lines on stdout (or a given stream), secrets redacted, level
// from configuration and changeable at run time (see log-level.ts).
import pino, { type DestinationStream, type Logger } from 'pino';
import { assertLogLevel } from './log-level';
import { CENSOR, REDACT_PATHS } from './redaction';

export interface LoggerOptions {
  /** From configuration (`log.level`); a bad value is an error that names it. */
  level?: string;
  name?: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. the instance name). */
  base?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = assertLogLevel(opts.level ?? 'info', 'log.level');
  const options: pino.LoggerOptions = {
    level,
    name: opts.name ?? 'holdfast',
    base: { pid: process.pid, ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    serializers: { err: pino.stdSerializers.err },
  };
  // stdout by default, written synchronously: a crash loses no line.
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
