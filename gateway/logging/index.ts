export { createLogger, type LoggerOptions } from './logger';
export {
  LOG_LEVELS,
  LogLevelError,
  assertLogLevel,
  installLevelSignal,
  isLogLevel,
  setLevel,
} from './log-level';
export type { LevelSignalOptions, LogLevel, SignalTarget, Uninstall } from './log-level';
export { agentLogger, callLogger, type CallLogContext } from './call-logger';
export { trafficLog, type Direction, type TrafficLog } from './traffic-log';
export { CENSOR, REDACT_PATHS, scrubSipText } from './redaction';
