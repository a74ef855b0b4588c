// Gateway latencies over real calls (embedded SIP server, local rtpengine, loopback):
//   detection → prompt   the gateway decides the agent is gone → first prompt packet at the customer
//   stop → prompt        the agent's media stops → first prompt packet (adds media.lossMs)
//   reconnect → audio    the agent's re-INVITE (new media) is sent → first packet of its voice at the customer
// Prints a summary and, last, one JSON line.
//
//   npm run bench:gateway -- [--calls 50] [--concurrency 5] [--loss-ms 1000]
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../gateway/config/load-config';
import { startGateway } from '../gateway/gateway';
import type { Call } from '../gateway/call/call';
import { toneShare } from '../test/helpers/audio-compare';
import { parseHostports } from '../test/helpers/sip-server';
import type { TestGateway } from '../test/e2e/fixtures/gateway-harness';
import { Agent, Customer } from '../test/e2e/fixtures/parties';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const CALLS = arg('calls', 50);
const CONCURRENCY = arg('concurrency', 5);
const LOSS_MS = arg('loss-ms', 1000);
const AGENT_TONE = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p99: r(percentile(s, 99)),
    min: r(s[0]),
    max: r(s[s.length - 1]),
  };
}

async function main(): Promise<void> {
  const teardowns: (() => unknown)[] = [];
  const owner = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  const agentIds = Array.from({ length: CONCURRENCY }, (_, i) => `agent${i}`);
  const config = parseConfig(
    {
      sip: { contacts: ['sip:127.0.0.1:0;transport=udp,tcp'] },
      http: { listen: '127.0.0.1:0', adminToken: 'bench' },
      agents: agentIds.map((id) => ({ id, password: `pw-${id}`, token: `${id}-token` })),
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 150_000 },
      media: { lossMs: LOSS_MS },
      log: { level: process.env.HOLDFAST_LOG_LEVEL ?? 'error' },
    },
    { env: {} },
  );
  const gw = await startGateway(config);
  const hp = parseHostports(gw.sipHostports.join(','));
  const hf = { gw, sip: { udp: hp.udp! } } as TestGateway;
  const agents = new Map<string, Agent>();
  for (const id of agentIds)
    agents.set(id, await Agent.open(owner, hf, id, { tone: AGENT_TONE, password: `pw-${id}` }));

  const detectToPrompt: number[] = [];
  const stopToPrompt: number[] = [];
  const reconnectToAudio: number[] = [];
  let started = 0;
  let failures = 0;

  const oneCall = async (): Promise<void> => {
    const customer = await Customer.call(owner, hf);
    const call = await until(
      () =>
        [...gw.calls.values()].find(
          (c: Call) =>
            c.state === 'connected' &&
            c.agentId &&
            customer.dialog.remoteSdp &&
            isOurs(c, customer),
        ),
      'connected call',
    );
    const agent = agents.get(call.agentId!)!;
    await sleep(300);
    let goneAt = 0;
    call.once('state', (to) => {
      if (to === 'agentGone') goneAt = performance.now();
    });
    const stopAt = performance.now();
    agent.ep.pause();
    // The stream the customer got from the agent; the prompt comes from rtpengine's player.
    const agentSsrc = customer.ep.stream()?.ssrc;
    await until(() => (goneAt ? true : undefined), 'disconnect detected');
    const prompt = await until(
      () => customer.ep.packets().find((p) => p.arrivalMs > goneAt && p.ssrc !== agentSsrc),
      'prompt at the customer',
    );
    detectToPrompt.push(prompt.arrivalMs - goneAt);
    stopToPrompt.push(prompt.arrivalMs - stopAt);
    await sleep(200);
    const reconnectAt = performance.now();
    await agent.reconnectMedia(owner);
    const voice = await until(
      () =>
        customer.ep
          .packets()
          .find((p) => p.arrivalMs > reconnectAt && toneShare(p.samples, AGENT_TONE) > 0.5),
      "the agent's voice at the customer",
    );
    reconnectToAudio.push(voice.arrivalMs - reconnectAt);
    await customer.hangUp();
    await until(() => (gw.calls.has(call.id) ? undefined : true), 'call released');
    await customer.ua.close();
    await customer.ep.close();
  };

  const worker = async () => {
    while (started < CALLS) {
      started++;
      try {
        await oneCall();
      } catch (err) {
        failures++;
        process.stderr.write(`call failed: ${(err as Error).message}\n`);
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallS = (performance.now() - t0) / 1000;

  const leftInRtpengine =
    ((await gw.ng.request('list', { limit: 1000 })).calls as string[] | undefined)?.length ?? 0;
  const stats = gw.stats();
  for (const fn of teardowns.reverse()) await fn();
  await gw.stop();

  const result = {
    bench: 'gateway',
    calls: CALLS,
    failures,
    concurrency: CONCURRENCY,
    lossMs: LOSS_MS,
    wallS: Math.round(wallS * 10) / 10,
    detectionToPromptMs: summary(detectToPrompt),
    stopToPromptMs: summary(stopToPrompt),
    reconnectToAudioMs: summary(reconnectToAudio),
    leftAfter: { calls: stats.calls, deadlines: stats.deadlines, rtpengineCalls: leftInRtpengine },
  };
  const line = (name: string, s: ReturnType<typeof summary>) =>
    `  ${name.padEnd(22)} p50 ${String(s.p50).padStart(7)} ms   p99 ${String(s.p99).padStart(7)} ms   (min ${s.min}, max ${s.max}, n=${s.n})`;
  console.log(
    `gateway bench: ${CALLS} calls, ${CONCURRENCY} at a time, media.lossMs ${LOSS_MS}, ${result.wallS} s, ${failures} failed`,
  );
  console.log(line('detection → prompt', result.detectionToPromptMs));
  console.log(line('stop → prompt', result.stopToPromptMs));
  console.log(line('reconnect → audio', result.reconnectToAudioMs));
  console.log(`  left after the run: ${JSON.stringify(result.leftAfter)}`);
  console.log(JSON.stringify(result));
  if (failures) process.exitCode = 1;
}

/** The customer's call: its dialog's Call-ID is the one the gateway's INVITE request carried. */
function isOurs(call: Call, customer: Customer): boolean {
  return call.sipCallId === customer.dialog.callId;
}

main().catch((err: Error) => {
  console.error(`gateway bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
