// A pino destination that keeps the JSON lines, for asserting what a module logged.
import type { DestinationStream } from 'pino';
import { createLogger } from '../../gateway/logging/logger';

export class LogCapture implements DestinationStream {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];

  write(msg: string): void {
    this.raw.push(msg);
    this.lines.push(JSON.parse(msg) as Record<string, unknown>);
  }

  withMsg(msg: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}

export function capturedLogger(level = 'info') {
  const capture = new LogCapture();
  return { log: createLogger({ level, destination: capture }), capture };
}
