// Target (b): a whole running gateway (test/e2e/fixtures/gateway-harness: embedded SIP
// server, private rtpengine, agent API) with one registered agent. Before the fuzzing a
// customer calls and the agent answers: that call stays up through the whole campaign (so
// the agent is busy and mutated INVITEs that get through wait in the queue with music,
// then end at the maximum wait) and is the good call checked all along — both parties must
// keep hearing each other. At the end it is hung up, a fresh call is made and completed,
// and nothing may be left over (calls, deadlines, rtpengine sessions).
import pino from 'pino';
import {
  startTestGateway,
  waitFor,
  type Teardownable,
  type TestGateway,
} from '../e2e/fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from '../e2e/fixtures/parties';
import type { FuzzTarget } from './fuzz-campaign';
import { installNetworkGuard } from './network-guard';
import { watchProblems } from './problem-watch';

const AGENT_TONE = 1000;

export interface GatewayFuzzTarget extends FuzzTarget {
  hf: TestGateway;
  /** Hangs up the long call, makes and completes a fresh one, checks nothing is left. */
  finish(): Promise<void>;
}

export async function startGatewayTarget(scope: Teardownable): Promise<GatewayFuzzTarget> {
  installNetworkGuard();
  const watch = watchProblems();
  scope.teardown(() => watch.stop());
  // Only errors reach the log (and are checked); the fuzz's warnings would be thousands.
  const level = process.env.HOLDFAST_TEST_LOG;
  process.env.HOLDFAST_TEST_LOG = 'error';
  const hf = await startTestGateway(scope, [{ id: 'alice', password: 'pw-alice' }], {
    // Mutated INVITEs from 127.0.0.1 must pass the SBC check to reach SDP and rtpengine.
    sbc: { allow: ['127.0.0.0/8'] },
    queue: { maxWaitMs: 1500, ringTimeoutMs: 3000 },
  });
  if (level === undefined) delete process.env.HOLDFAST_TEST_LOG;
  else process.env.HOLDFAST_TEST_LOG = level;
  teeErrors(hf, watch.logStream);
  const agent = await Agent.open(scope, hf, 'alice', { tone: AGENT_TONE, password: 'pw-alice' });
  let customer = await Customer.call(scope, hf);
  await waitFor(() => agent.current !== undefined, 'the agent answered the good call');

  const bothHear = async (what: string) => {
    const heard = await Promise.all([
      hearsTone(customer.ep, AGENT_TONE, 500),
      hearsTone(agent.ep, CUSTOMER_TONE, 500),
    ]);
    if (heard[0] < 0.5 || heard[1] < 0.5) {
      throw new Error(
        `${what}: customer hears ${heard[0].toFixed(2)}, agent ${heard[1].toFixed(2)}`,
      );
    }
  };
  return {
    name: 'gateway',
    hf,
    sip: hf.sip,
    drainProblems: () => watch.drain(),
    goodCall: () => bothHear('the call in progress'),
    async health() {
      const pong = await hf.gw.ng.ping().catch((err: Error) => ({ result: err.message }));
      if (pong.result !== 'pong') return `rtpengine does not answer ping: ${String(pong.result)}`;
      const res = await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/health`).catch(
        (err: Error) => ({ status: err.message }),
      );
      return res.status === 200 ? undefined : `GET /health: ${res.status}`;
    },
    async finish() {
      // Fuzzed calls still waiting would be handed to the agent the moment it is free. A
      // late offer (INVITE without SDP) that is never ACKed waits for the SIP server's BYE
      // after 64*T1 = 32 s (RFC 3261 §13.3.1.4), hence the bound.
      await waitFor(
        () => hf.gw.calls.size === 1 && hf.gw.stats().queued === 0,
        'only the good call left (fuzzed calls ended at their maximum wait or ACK timeout)',
        45_000,
      ).catch((err: Error) => {
        const left = [...hf.gw.calls.values()].map((c) =>
          JSON.stringify({
            ...c.snapshot(),
            deadlines: ['maxWait', 'final-prompt'].filter((d) => c.deadlines.has(d)),
            size: c.deadlines.size,
          }),
        );
        throw new Error(`${err.message}; calls left: ${left.join(' ')}`);
      });
      const status = await customer.hangUp();
      if (status !== 200) throw new Error(`the good call's BYE got ${status}`);
      await hf.settled(20_000);
      customer = await Customer.call(scope, hf);
      await bothHear('a call after the fuzzing');
      if ((await customer.hangUp()) !== 200) throw new Error('the second call did not end cleanly');
      await hf.settled(10_000);
    },
  };
}

/** Copies the gateway's log lines (all its children share one stream) to `sink`. */
function teeErrors(hf: TestGateway, sink: { write(line: string): void }): void {
  const stream = (hf.gw.log as unknown as Record<symbol, { write(s: string): boolean }>)[
    pino.symbols.streamSym
  ];
  const write = stream.write.bind(stream);
  stream.write = (line: string) => {
    sink.write(line);
    return write(line);
  };
}
