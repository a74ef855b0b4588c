// Everything a soak runs against, each in its own process where it would be in production:
// `holdfast sipserver` (restartable), the gateway (gateway-child.ts, with its private
// rtpengine under its supervisor), and the record webhook and agents in this process.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/helpers/sip-ports';
import { GatewayProcess } from './gateway-process';
import { RecordInbox } from './record-inbox';
import { SipserverProcess } from './sipserver-process';
import { SoakAgent, type AgentHooks } from './soak-agent';
import type { Timing } from './soak-call';

export const ADMIN_TOKEN = 'soak-admin-token';

/** Thresholds shortened through configuration so that a call's faults fit in seconds. */
export const TIMING: Timing = {
  lossMs: 800,
  promptMs: 4650, // prompts/agent-disconnected.wav
  windowMs: 8000,
  ringTimeoutMs: 4000,
};

export interface Rig {
  sip: { host: string; port: number };
  ws: { host: string; port: number };
  gateway: GatewayProcess;
  sipserver: SipserverProcess;
  inbox: RecordInbox;
  agents: SoakAgent[];
  api(path: string): Promise<unknown>;
  close(): Promise<{ gatewayExit: number | null }>;
}

export async function startRig(opts: {
  agents: number;
  hooks: AgentHooks;
  logDir?: string;
}): Promise<Rig> {
  const ports = { sip: await freePort(), ws: await freePort(), drachtio: await freePort() };
  const secret = randomBytes(8).toString('hex');
  const log = (name: string): number | 'ignore' => {
    if (!opts.logDir) return 'ignore';
    fs.mkdirSync(opts.logDir, { recursive: true });
    return fs.openSync(path.join(opts.logDir, name), 'a');
  };
  const inbox = await RecordInbox.open();
  const sipserver = new SipserverProcess(ports, secret, log('sipserver.log'));
  await sipserver.start();
  const ids = Array.from({ length: opts.agents }, (_, i) => `agent${i}`);
  const doc = {
    http: { listen: '127.0.0.1:0', adminToken: ADMIN_TOKEN },
    agents: ids.map((id) => ({ id, password: `pw-${id}`, token: `${id}-token` })),
    policy: {
      reconnectWindowMs: TIMING.windowMs,
      presenceTimeoutMs: 20_000,
      keepaliveMs: 2000,
    },
    media: { lossMs: TIMING.lossMs, portBlock: 2048 },
    queue: { ringTimeoutMs: TIMING.ringTimeoutMs, maxWaitMs: 20_000 },
    webhook: { url: inbox.url, secret: 'soak-webhook-secret', maxAttempts: 8 },
    shutdown: { drainMs: 1000 },
    log: { level: process.env.HOLDFAST_LOG_LEVEL ?? 'warn' },
  };
  const env = {
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(ports.drachtio),
    DRACHTIO_SECRET: secret,
  };
  const gateway = await GatewayProcess.start({ doc, env, logFile: log('gateway.log') });
  const sip = { host: '127.0.0.1', port: ports.sip };
  const ws = { host: '127.0.0.1', port: ports.ws };
  const agents = ids.map(
    (id, i) =>
      new SoakAgent({
        id,
        password: `pw-${id}`,
        token: `${id}-token`,
        proto: i % 2 ? 'ws' : 'udp',
        server: () => (i % 2 ? ws : sip),
        api: gateway.started.http,
        hooks: opts.hooks,
      }),
  );
  for (const a of agents) await a.open();
  const api = async (p: string) => {
    const { host, port } = gateway.started.http;
    const res = await fetch(`http://${host}:${port}${p}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    return res.json();
  };
  return {
    sip,
    ws,
    gateway,
    sipserver,
    inbox,
    agents,
    api,
    async close() {
      await Promise.all(agents.map((a) => a.close()));
      const gatewayExit = await gateway.stop();
      await sipserver.stop();
      await inbox.close();
      return { gatewayExit };
    },
  };
}
