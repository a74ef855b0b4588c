// The two other ways a browser agent leaves a call:
// - its desktop comes back after the reconnect window: the call is already with another
//   agent (a Node agent here), and the page shows that its call ended;
// - its tab closes (the SIP WebSocket goes with it): the gateway sees the transport gone,
//   the customer hears the prompt, and a fresh page that logs in and registers within the
//   window is INVITEd back to the same call and answers it by itself;
// - its desktop drops and the SIP WebSocket goes too: when the desktop is back the page
//   registers anew (the dialog is dead) and is INVITEd back the same way.
import path from 'node:path';
import t from 'tap';
import { readWav } from '../helpers/audio-wav';
import { sleep, startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from '../e2e/fixtures/parties';
import { AgentPage, ALICE } from './fixtures/agent-page';
import { promptOnset } from './fixtures/audio-timing';
import { BROWSER_TONE, chromiumMissing, launchChromium } from './fixtures/chromium';
import { SipWireTap } from './fixtures/sip-wire-tap';

const PROMPT = readWav(path.join(__dirname, '../../prompts/agent-disconnected.wav')).samples;
const BOB_TONE = 1600;

t.test(
  'back after the window: the call is with another agent, the page shows it ended',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      { policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 20_000 }, media: { lossMs: 3000 } },
    );
    const tap = await SipWireTap.open(t, hf.sip.ws!);
    const browser = await launchChromium(t);
    const agent = await AgentPage.open(t, browser, hf, tap);
    await agent.login(ALICE);
    const calling = Customer.call(t, hf);
    await agent.waitForPhase('ringing');
    await agent.click('#answer');
    const customer = await calling;
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'call connected');
    t.ok((await hearsTone(customer.ep, BROWSER_TONE)) > 0.7, 'the customer hears the browser');
    // Bob logs in once alice has the call (else he might have been offered it first).
    const bob = await Agent.open(t, hf, 'bob', { tone: BOB_TONE, password: 'pw-bob' });

    await agent.dropDesktop();
    await waitFor(() => call.state === 'agentGone', 'alice gone', 3000);
    await bob.nextCall(8000);
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'bob',
      'rerouted to bob',
      8000,
    );
    await agent.waitForPhase('ended', 5000);
    t.match(await agent.text('#call-state'), /Call ended/, 'the page shows its call ended');
    t.match(await agent.text('#call-state'), /rerouted/, 'and why (the gateway’s Reason)');
    t.ok((await hearsTone(customer.ep, BOB_TONE)) > 0.7, 'the customer talks with bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.7, 'and bob hears the customer');

    const restoreAt = await agent.restoreDesktop();
    t.equal(await agent.recovered(restoreAt), 'signal', 'no call to rejoin: only the signal');
    await waitFor(
      () => hf.gw.agents.get('alice')!.status === 'available',
      'alice available again',
      5000,
    );
    t.equal(call.agentId, 'bob', 'the call stays with bob');
    t.equal(await agent.livePeerConnections(), 0, 'the page made no media for a call it lost');

    t.equal(await customer.hangUp(), 200);
    await hf.settled();
    t.same(agent.errors, [], 'no error in the page');
  },
);

t.test(
  'tab closed: transport loss, prompt, and a fresh page that registers again is reattached',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      // Keep-alives find the closed WebSocket first; media loss comes later.
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000, keepaliveMs: 300 },
      media: { lossMs: 3000 },
    });
    const tap = await SipWireTap.open(t, hf.sip.ws!);
    const browser = await launchChromium(t);
    const first = await AgentPage.open(t, browser, hf, tap);
    await first.login(ALICE);
    const calling = Customer.call(t, hf);
    await first.waitForPhase('ringing');
    await first.click('#answer');
    const customer = await calling;
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'call connected');
    await sleep(700); // a few keep-alives answered by the page
    t.equal(call.state, 'connected', 'keep-alives to a live page succeed');
    t.ok((await hearsTone(customer.ep, BROWSER_TONE)) > 0.7, 'the customer hears the browser');

    const closedAt = Date.now();
    await first.close();
    await waitFor(() => call.state === 'agentGone', 'the gateway sees the agent gone', 3000);
    // The embedded server tells its apps that a WebSocket closed; drachtio-server does not,
    // so there the next keep-alive to the gone flow fails instead (within keepaliveMs).
    t.equal(
      call.snapshot().gone,
      process.env.DRACHTIO_HOST ? 'keepalive-failed' : 'transport-closed',
      'the evidence is the lost transport',
    );
    t.equal(tap.openConnections, 0, 'the WebSocket is gone');
    await sleep(2200);
    const onset = promptOnset(customer.ep, closedAt, PROMPT);
    t.ok(
      onset.score > 0.8,
      `the customer hears the prompt (correlation ${onset.score.toFixed(3)})`,
    );

    const second = await AgentPage.open(t, browser, hf, tap);
    await second.login(ALICE);
    await second.waitForPhase('connected', 8000);
    t.match(
      await second.text('#call-state'),
      /resumed/,
      'the fresh page took the call back by itself',
    );
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    t.equal(call.agentId, 'alice', 'to the same agent');
    const resumeInvite = tap.received('INVITE').pop()?.text ?? '';
    t.match(
      resumeInvite,
      new RegExp(`^X-Holdfast-Resume: ${call.id}`, 'im'),
      'marked as a resumption',
    );
    t.equal((await second.state()).call.callId, call.id, 'the page knows it is the same call');
    t.ok(
      (await hearsTone(customer.ep, BROWSER_TONE)) > 0.7,
      'the customer hears the browser again',
    );
    const agentHears = await second.hearsTone(CUSTOMER_TONE, 800);
    t.ok(agentHears > 0.5, `and the page hears the customer (share ${agentHears.toFixed(2)})`);

    t.equal(await customer.hangUp(), 200);
    await second.waitForPhase('ended');
    await hf.settled();
    t.same(second.errors, [], 'no error in the page');
  },
);

t.test(
  'desktop drop with the WebSocket gone too: the page registers again and is INVITEd back',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
      media: { lossMs: 3000 },
    });
    const tap = await SipWireTap.open(t, hf.sip.ws!);
    const browser = await launchChromium(t);
    const agent = await AgentPage.open(t, browser, hf, tap);
    await agent.login(ALICE);
    const calling = Customer.call(t, hf);
    await agent.waitForPhase('ringing');
    await agent.click('#answer');
    const customer = await calling;
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'call connected');
    const contactBefore = hf.gw.agents.get('alice')!.contact?.uri;

    await agent.dropDesktop();
    await waitFor(() => call.state === 'agentGone', 'alice gone', 3000);
    t.equal(call.snapshot().gone, 'explicit-signal');
    tap.cut();
    await waitFor(() => tap.openConnections === 0, 'the WebSocket is cut');
    await sleep(300);

    const restoreAt = await agent.restoreDesktop();
    t.equal(await agent.recovered(restoreAt, 15_000), 're-register', 'the page registered anew');
    await agent.waitForPhase('connected', 10_000);
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    t.equal(call.agentId, 'alice', 'the same agent');
    t.not(hf.gw.agents.get('alice')!.contact?.uri, contactBefore, 'from a new Contact');
    t.match(
      tap.received('INVITE').pop()?.text ?? '',
      new RegExp(`^X-Holdfast-Resume: ${call.id}`, 'im'),
      'INVITEd back as a resumption',
    );
    t.ok((await hearsTone(customer.ep, BROWSER_TONE)) > 0.7, 'the customer hears the browser');
    const agentHears = await agent.hearsTone(CUSTOMER_TONE, 800);
    t.ok(agentHears > 0.5, `and the page hears the customer (share ${agentHears.toFixed(2)})`);

    t.equal(await customer.hangUp(), 200);
    await agent.waitForPhase('ended');
    await hf.settled();
    t.same(agent.errors, [], 'no error in the page');
  },
);
