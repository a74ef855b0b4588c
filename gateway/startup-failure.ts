// Why `holdfast start` could not start, as one line an operator can act on: the setting
// concerned, what is wrong and, where it is clear, how to fix it.
import type { HoldfastConfig } from './config/config-types';

type SystemError = Error & { code?: string; syscall?: string; port?: number };

const FIXES: Record<string, string> = {
  EADDRINUSE:
    'address already in use: another process (another holdfast?) listens there; stop it or pick another port',
  EACCES: 'permission denied: ports below 1024 need privileges; pick a port from 1024 up',
  EADDRNOTAVAIL: 'address not available on this host: use one of its own addresses',
};

/** The fix for a listen error, by the code in its message or on the error. */
function listenProblem(err: SystemError): string | undefined {
  const code = err.code ?? /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(err.message)?.[1];
  return code ? FIXES[code] : undefined;
}

export function describeStartupFailure(err: unknown, config?: HoldfastConfig): string {
  const e: SystemError = err instanceof Error ? err : new Error(String(err));
  const problem = listenProblem(e);
  const http = config?.http.listen;
  if (problem && http && e.syscall === 'listen' && e.port === http.port)
    return oneLine(`http.listen ${http.host}:${http.port}: ${problem}`);
  // The SIP server says "cannot listen on udp,tcp 127.0.0.1:5060: …".
  const sip = /^cannot listen on (\S+) (\S+):/.exec(e.message);
  if (sip && problem) return oneLine(`sip.contacts ${sip[1]} ${sip[2]}: ${problem}`);
  return oneLine(e.message);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
