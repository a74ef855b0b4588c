// `holdfast demo [--out FILE]`: the gateway's reason to exist, in half a minute on this
// machine. A gateway on the embedded defaults (embedded SIP server, private rtpengine, the
// shipped prompts; every port ephemeral), a customer calling it and agent carol answering
// (demo-parties.ts); then carol's desktop drops (her media stops) and comes back within the
// reconnect window. Each step is printed as it happens, in ms since the call was placed;
// what the customer heard is saved as a WAV file. Everything started is stopped at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { parseWavHeader } from '../../media/wav-file';
import type { Call } from '../call/call';
import { parseConfig } from '../config/load-config';
import { packageRoot } from '../config/defaults';
import { startGateway, type RunningGateway } from '../gateway';
import { AGENT_HZ, CUSTOMER_HZ, DemoParties } from './demo-parties';
import { writeUlawAsWav } from './g711-wav';

const USAGE = `usage: holdfast demo [--out FILE]

Starts a gateway on the embedded defaults (ephemeral ports), calls it as a customer, lets
agent carol answer, drops her media, and brings her back within the reconnect window,
printing each step. Saves what the customer heard as a WAV file
(--out, default holdfast-demo-customer.wav in the working directory).
`;

/** Media loss is noticed after this much silence (the default, media.lossMs). */
const LOSS_MS = 2000;
const TALK_MS = 3000;
const STUCK_EXIT_MS = 10_000;

export function parseDemoArgs(args: string[]): { out: string; help: boolean } {
  let out = 'holdfast-demo-customer.wav';
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') help = true;
    else if (a === '--out' || a === '-o') {
      const v = args[++i];
      if (!v) throw new Error('--out needs a file name');
      out = v;
    } else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else throw new Error(`unknown option '${a}'\n\n${USAGE}`);
  }
  return { out: path.resolve(out), help };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function demoCommand(argv: string[]): Promise<void> {
  const args = parseDemoArgs(argv);
  if (args.help) return void process.stdout.write(USAGE);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let t0 = Date.now();
  const at = (line: string) => say(`${String(Date.now() - t0).padStart(6)} ms  ${line}`);

  let answered: () => void = () => undefined;
  const agentAnswered = new Promise<void>((r) => (answered = r));
  const parties = await DemoParties.start(() => answered());
  let gw: RunningGateway | undefined;
  try {
    const config = parseConfig(
      {
        sip: { contacts: ['sip:127.0.0.1:0;transport=udp'] },
        http: { listen: '127.0.0.1:0', adminToken: randomBytes(12).toString('hex') },
        agents: [{ id: 'carol', uri: parties.agentUri, token: randomBytes(12).toString('hex') }],
        policy: { keepaliveMs: 0 },
        // One call needs a few ports: a small block lets the demo run beside a gateway.
        media: { lossMs: LOSS_MS, portBlock: 256 },
      },
      { env: {}, baseDir: packageRoot() },
    );
    say('holdfast demo: starting a gateway (embedded SIP server, private rtpengine)…');
    gw = await startGateway(config, { logger: pino({ level: 'silent' }), processMetrics: false });
    const promptMs = durationOf(config.prompts.agentDisconnected);
    say(`  SIP ${gw.sipHostports.join(' ')}, rtpengine pid ${gw.rtpengine.pid}`);
    say(`  customer says ${CUSTOMER_HZ} Hz, carol says ${AGENT_HZ} Hz`);
    say(
      `  media loss after ${config.media.lossMs} ms of silence, reconnect window ` +
        `${config.policy.reconnectWindowMs} ms, prompt ${promptMs} ms\n`,
    );

    const udp = gw.sipHostports.find((h) => h.startsWith('udp/'))!.slice('udp/'.length);
    t0 = Date.now();
    at(`customer calls sip:support@${udp}`);
    const calling = parties.call(`sip:support@${udp}`);
    const call = await firstCall(gw);
    follow(call, at);
    await agentAnswered;
    at('carol answers');
    await calling;
    at('customer connected to carol: they hear each other');
    await sleep(TALK_MS);

    parties.agent.silence();
    const droppedAt = Date.now();
    at("carol's desktop drops: her media stops, her SIP dialog stays up");
    // Gone after lossMs, then the prompt and some wait music, then she is back.
    await sleep(LOSS_MS + promptMs + 2500);
    parties.agent.speak();
    at(`carol's desktop is back after ${Date.now() - droppedAt} ms: her media flows again`);
    await until(() => call.state === 'connected', 10_000);
    await sleep(TALK_MS);
    at('customer hangs up');
    await parties.hangUp();
    await until(() => call.ended && parties.agentReleased, 5000);

    const saved = writeUlawAsWav(args.out, parties.customer.heard);
    say(`\nwhat the customer heard: ${args.out} (${saved.ms} ms, 8 kHz mono)`);
  } finally {
    // Nothing may outlive the demo; a stuck stop must not hang it either.
    setTimeout(() => {
      process.stderr.write('holdfast demo: stopping took over 10 s, exiting\n');
      process.exit(1);
    }, STUCK_EXIT_MS).unref();
    await gw?.stop();
    await parties.close();
  }
  say('holdfast demo: done, everything stopped');
}

function durationOf(wav: string): number {
  const buf = fs.readFileSync(wav);
  return Math.round(parseWavHeader(buf).durationMs);
}

async function until(pred: () => boolean, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`the demo got stuck (${withinMs} ms without progress)`);
    await sleep(10);
  }
}

/** The call the customer's INVITE opened (polled: the registry's events are internal). */
async function firstCall(gw: RunningGateway): Promise<Call> {
  await until(() => gw.calls.size > 0, 5000);
  return [...gw.calls.values()][0];
}

/** Prints what the gateway does with the call, as it happens. */
function follow(call: Call, at: (line: string) => void): void {
  let goneAt = 0;
  call.on('state', (to, from) => at(`gateway: call ${from} → ${to}`));
  call.on('disconnected', (agentId, evidence) => {
    goneAt = Date.now();
    at(`gateway: ${agentId} is gone (evidence: ${evidence}); the call stays hers`);
  });
  call.on('promptStarted', () =>
    at('gateway: the customer hears the agent-disconnected prompt, then wait music'),
  );
  call.on('returned', (evidence) => {
    if (!goneAt) return; // said once per episode
    at(`gateway: carol is back (evidence: ${evidence}), ${Date.now() - goneAt} ms after she went`);
    goneAt = 0;
  });
  call.on('reattached', () => at('gateway: carol reattached: customer and carol hear each other'));
  call.on('rerouted', () => at('gateway: the call is rerouted to another agent'));
  call.on('ended', (reason) => at(`gateway: call ended (${reason})`));
}
