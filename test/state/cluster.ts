// Several holdfast instances sharing one contact centre, as deployed: one SIP server (the
// embedded one, standalone, as `holdfast sipserver` runs it), one rtpengine, one Redis,
// and N gateways connected to all three. Everything on loopback, stopped on teardown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliProcess } from '../e2e/fixtures/cli-process';
import { launchRtpengine, type RtpengineHandle } from '../../media';
import { parseConfig } from '../../gateway/config/load-config';
import { startGateway, type RunningGateway } from '../../gateway/gateway';
import { sipServerForTest, type SipAddress } from '../helpers/sip-server';
import { waitFor, type TestGateway } from '../e2e/fixtures/gateway-harness';
import { RedisStore } from '../../gateway/state/redis/redis-store';
import { startRedis, type TestRedis } from './redis-server';

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface ClusterAgent {
  id: string;
  password?: string;
  uri?: string;
}

export interface Cluster {
  redis: TestRedis;
  rtpengine: RtpengineHandle;
  sip: SipAddress;
  drachtio: { host: string; port: number; secret: string };
  gateways: RunningGateway[];
  /** A store of its own on the shared Redis, for the test to look (its trips not counted). */
  observer: RedisStore;
  /** What Agent.open / Customer.call need: the shared SIP server's address. */
  target: TestGateway;
  /** The config document each instance gets (for child processes). */
  doc(instanceId: string): Record<string, unknown>;
  env(instanceId: string): Record<string, string>;
}

export interface ClusterOptions {
  instances: number;
  agents: ClusterAgent[];
  queue?: Record<string, unknown>;
  policy?: Record<string, unknown>;
  state?: Record<string, unknown>;
}

export async function startCluster(t: Teardownable, o: ClusterOptions): Promise<Cluster> {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rtpengine = await launchRtpengine({ portCount: 1024 });
  t.teardown(() => rtpengine.stop());
  // The embedded SIP server, or drachtio-server when DRACHTIO_HOST/PORT/SECRET are set.
  const server = await sipServerForTest(t, ['udp']);
  const sip = server.sip.udp!;
  const drachtio = server.connect;
  const doc = (instanceId: string) => ({
    http: { listen: '127.0.0.1:0', adminToken: 'admin-token' },
    agents: o.agents.map((a) => ({ token: `${a.id}-token`, ...a })),
    policy: { reconnectWindowMs: 3000, presenceTimeoutMs: 6000, keepaliveMs: 0, ...o.policy },
    media: { lossMs: 600 },
    queue: { ringTimeoutMs: 4000, maxWaitMs: 30000, ...o.queue },
    log: { level: process.env.HOLDFAST_TEST_LOG ?? 'warn' },
    state: { instanceId, heartbeatMs: 200, instanceTtlMs: 1000, ...o.state },
  });
  const env = (instanceId: string) => ({
    HOLDFAST_REDIS_URL: redis.url,
    HOLDFAST_INSTANCE_ID: instanceId,
    DRACHTIO_HOST: drachtio.host,
    DRACHTIO_PORT: String(drachtio.port),
    DRACHTIO_SECRET: drachtio.secret,
    RTPENGINE_HOST: rtpengine.host,
    RTPENGINE_PORT: String(rtpengine.port),
  });
  const gateways: RunningGateway[] = [];
  for (let i = 0; i < o.instances; i++) {
    const id = `gw-${String.fromCharCode(97 + i)}`;
    const base: NodeJS.ProcessEnv = { ...process.env, ...env(id) };
    delete base.HOLDFAST_ADMIN_TOKEN;
    const gw = await startGateway(parseConfig(doc(id), { env: base }), { processMetrics: false });
    t.teardown(() => gw.stop());
    gateways.push(gw);
  }
  const target = { sip: { udp: sip } } as TestGateway;
  const observer = await RedisStore.open({
    url: redis.url,
    prefix: 'holdfast:',
    instanceId: 'test-observer',
  });
  t.teardown(() => observer.close());
  return { redis, rtpengine, sip, drachtio, gateways, observer, target, doc, env };
}

/** Which gateway holds the call (by its customer's Call-ID), or -1. */
export function ownerOf(gateways: RunningGateway[], sipCallId: string): number {
  return gateways.findIndex((g) =>
    [...g.calls.values()].some((c) => c.customer.request.get('Call-ID') === sipCallId),
  );
}

/** One more instance as an operator runs it (`holdfast start`), in a child process. */
export async function startChildInstance(
  t: Teardownable,
  c: Cluster,
  instanceId: string,
): Promise<CliProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-cluster-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'holdfast.yaml');
  fs.writeFileSync(file, JSON.stringify(c.doc(instanceId))); // JSON is YAML
  const child = runCli(t, ['start', '--config', file], c.env(instanceId));
  await child.waitFor(/holdfast started/, 90_000); // from the sources: slow on a loaded host
  return child;
}

/**
 * One instance in this process (the survivor) and a second one, `gw-b`, as a child process
 * to be killed; resolves once the second one beats in the store.
 */
export async function survivorAndVictim(
  t: Teardownable,
  agents: ClusterAgent[],
  more: Omit<ClusterOptions, 'instances' | 'agents'> = {},
) {
  const cluster = await startCluster(t, { ...more, instances: 1, agents });
  const [survivor] = cluster.gateways;
  const store = survivor.shared!.store;
  const victim = await startChildInstance(t, cluster, 'gw-b');
  await waitFor(
    async () => (await store.instances()).some((i) => i.id === 'gw-b' && i.alive),
    'the second instance beats',
  );
  return { cluster, survivor, store, victim };
}
