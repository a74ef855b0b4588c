// Per-call and per-agent child loggers, so every line about a call can be found by its id.
import type { Logger } from 'pino';

export interface CallLogContext {
  callId: string;
  agentId?: string;
}

export function callLogger(log: Logger, ctx: CallLogContext): Logger {
  const bindings: Record<string, string> = { callId: ctx.callId };
  if (ctx.agentId !== undefined) bindings.agentId = ctx.agentId;
  return log.child(bindings);
}

export function agentLogger(log: Logger, agentId: string): Logger {
  return log.child({ agentId });
}
