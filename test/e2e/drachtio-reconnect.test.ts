// docs/fault-semantics.md, "The SIP server connection drops", end to end: the SIP server is
// its own process (`holdfast sipserver`), the gateway connects to it as to a drachtio-server
// (DRACHTIO_*), a call is up; the SIP server process is killed, then started again on the
// same ports. Checked: /ready fails while it is away and the loss is logged; the call up
// keeps its media (the customer still hears the agent); the gateway reconnects by itself
// and is ready again; the call that was up ends with its record ('signalling-lost') and its
// media deleted; a new call works end to end with audio both ways; nothing is left.
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { parseConfig } from '../../gateway/config/load-config';
import { startGateway } from '../../gateway/gateway';
import { freePort } from '../helpers/sip-ports';
import { runCli, type CliProcess } from './fixtures/cli-process';
import { sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { doesNotHear, hears, hearsSilence } from './fixtures/hearing';
import { Agent, CUSTOMER_TONE, Customer } from './fixtures/parties';

const ALICE_TONE = 1000;
const SECRET = 'reconnect-secret';

function startSipServer(ports: { sip: number; drachtio: number }): CliProcess {
  const args = ['sipserver', '--secret', SECRET, '--address', '127.0.0.1'];
  args.push(
    '--port',
    String(ports.drachtio),
    '--contact',
    `sip:127.0.0.1:${ports.sip};transport=udp`,
  );
  return runCli(t, args, {}, 120_000);
}

/** The gateway's log lines (JSON), kept in memory. */
function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

t.test(
  'the SIP server process dies and comes back: not ready meanwhile, the call up keeps its media then ends with a record, a new call works',
  async (t) => {
    const ports = { sip: await freePort(), drachtio: await freePort() };
    let server = startSipServer(ports);
    await server.waitFor(/sipserver: drachtio apps on/, 20_000);

    const log = memoryLog();
    const config = parseConfig(
      {
        http: { listen: '127.0.0.1:0', adminToken: 'admin' },
        agents: [{ id: 'alice', password: 'alice-pw', token: 'alice-token' }],
        policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 60_000, keepaliveMs: 0 },
        media: { lossMs: 600, portBlock: 512 },
        log: { level: 'info' },
      },
      {
        env: {
          DRACHTIO_HOST: '127.0.0.1',
          DRACHTIO_PORT: String(ports.drachtio),
          DRACHTIO_SECRET: SECRET,
        },
      },
    );
    const gw = await startGateway(config, { logger: log.logger, processMetrics: false });
    t.teardown(() => gw.stop());
    const ready = async () => (await fetch(`http://${gw.http.host}:${gw.http.port}/ready`)).status;
    const logged = (msg: RegExp) => log.lines.filter((l) => msg.test(String(l.msg)));
    const hf = { sip: { udp: { host: '127.0.0.1', port: ports.sip } } } as unknown as TestGateway;
    await waitFor(async () => (await ready()) === 200, 'ready', 10_000);

    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'alice-pw' });
    const answered = alice.nextCall();
    const first = await Customer.call(t, hf);
    await answered;
    await hears(t, first.ep, ALICE_TONE, 'before: the customer hears alice');
    const firstCall = [...gw.calls.values()][0];

    // The SIP server process dies.
    server.child.kill('SIGKILL');
    await server.exited;
    await waitFor(async () => (await ready()) === 503, '/ready fails', 5000);
    t.pass('/ready answers 503 while the SIP server is away');
    t.match(
      logged(/SIP server connection lost/),
      [{ level: 50, callsUp: 1 }],
      'the loss is logged',
    );
    await hears(t, first.ep, ALICE_TONE, 'meanwhile: the customer still hears alice (rtpengine)');
    await hears(t, alice.ep, CUSTOMER_TONE, 'and alice the customer');
    t.equal(gw.calls.size, 1, 'the call is still up');
    await sleep(3000); // a few reconnect attempts against nothing
    t.ok(logged(/reconnecting/).length >= 2, 'the reconnect attempts are logged');
    t.equal(await ready(), 503, 'still not ready');

    // It comes back on the same ports.
    server = startSipServer(ports);
    await server.waitFor(/sipserver: drachtio apps on/, 20_000);
    const listeningAt = Date.now();
    await waitFor(async () => (await ready()) === 200, '/ready again', 15_000);
    // Reconnect attempts are at most RECONNECT_MAX_DELAY_MS (2 s) apart, however long the outage.
    const backInMs = Date.now() - listeningAt;
    t.ok(backInMs < 3500, `ready ${backInMs} ms after the SIP server listens again`);
    t.match(logged(/SIP server connection back/), [{ endingCalls: 1 }], 'the return is logged');

    // The call that was up: ended, with its record and its media gone.
    await waitFor(() => gw.calls.size === 0, 'the stranded call ended');
    const records = logged(/call record/).map((l) => l.callRecord as Record<string, unknown>);
    t.match(records, [{ callId: firstCall.id, endReason: 'signalling-lost' }], 'its record');
    await hearsSilence(t, first.ep, 'its customer hears nothing any more (media deleted)', {
      notTones: [ALICE_TONE],
    });

    // A new call through the restarted server: alice's registration lives in the gateway.
    await waitFor(() => gw.agents.get('alice')!.status === 'available', 'alice available');
    const answeredAgain = alice.nextCall();
    const second = await Customer.call(t, hf);
    await answeredAgain;
    await hears(t, second.ep, ALICE_TONE, 'after: a new customer hears alice');
    await hears(t, alice.ep, CUSTOMER_TONE, 'and alice hears the new customer');
    await doesNotHear(t, first.ep, ALICE_TONE, 'the first customer still hears nothing');
    t.equal(await second.hangUp(), 200, 'the new customer hangs up: 200');

    // Nothing left.
    let last = '';
    await waitFor(async () => {
      const s = gw.stats();
      const list = await gw.ng.request('list', { limit: 100 });
      const left = ((list.calls as string[] | undefined) ?? []).length;
      last = JSON.stringify({ ...s, rtpengineCalls: left });
      return s.calls === 0 && s.deadlines === 0 && s.watchedCalls === 0 && left === 0;
    }, 'everything released').catch((err: Error) => {
      throw new Error(`${err.message} — ${last}`);
    });
    t.pass(`nothing left: ${last}`);
    server.child.kill('SIGTERM');
    t.equal(await server.exited, 0, 'the SIP server stops cleanly');
  },
);
