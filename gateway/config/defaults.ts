// What the gateway runs with when the configuration file says nothing: the embedded SIP
// server on the standard ports, a local rtpengine, the prompts shipped in prompts/.
import fs from 'node:fs';
import path from 'node:path';

/** The package root (dist/gateway/config → three up; gateway/config under ts-node → two up). */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const DEFAULT_PROMPT_FILES = {
  agentDisconnected: 'prompts/agent-disconnected.wav',
  primaryDisconnected: 'prompts/primary-agent-disconnected.wav',
  waitMusic: 'prompts/wait-music.wav',
} as const;

export const DEFAULTS = {
  sip: {
    contacts: ['sip:127.0.0.1:5060;transport=udp,tcp', 'sip:127.0.0.1:8088;transport=ws'],
    realm: 'holdfast',
    callerIdentity: true,
  },
  sbc: { allow: ['127.0.0.0/8'] },
  policy: {
    reconnectWindowMs: 30_000,
    presenceTimeoutMs: 150_000,
    failureReasons: ['transport failure', 'desktop disconnected', 'cause=41'],
    keepaliveMs: 15_000,
    reroutePriority: 10,
  },
  // No media.ports: the private rtpengine claims a block of its own (media/port-block-claim.ts).
  media: { lossMs: 2000 },
  // Twice the 500-call target may wait at once; beyond that new calls get 503 + Retry-After.
  queue: {
    ringTimeoutMs: 15_000,
    musicDelayMs: 0,
    maxWaitMs: 120_000,
    maxQueued: 1000,
    retryAfterS: 5,
  },
  overflow: { cause: 34 },
  http: { listen: '127.0.0.1:8080' },
  // Per agent: ordinary notifications are well under 1 KB, the API accepts up to 64 KiB.
  notifications: { maxHeld: 100, maxHeldBytes: 256 * 1024, maxAgeMs: 3_600_000 },
  log: { level: 'info' },
  webhook: { maxAttempts: 5 },
  // Per source: an agent re-registers or a phone calls far below this; a flood does not.
  rateLimit: { setup: { perSecond: 10, burst: 20 }, other: { perSecond: 50, burst: 100 } },
  shutdown: { drainMs: 300_000, retryAfterS: 30 },
} as const;
