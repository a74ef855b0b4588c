// The agent page in real headless Chromium: digest REGISTER over WebSocket to the embedded
// SIP server, a customer call from the SBC side, answered in the page, ICE + DTLS-SRTP
// against the real rtpengine. Both directions are checked where they are heard: the
// customer decodes the browser's tone from RTP; the page measures the customer's tone with
// Web Audio. Then hold and mute through the page's buttons, and a screenshot for the docs
// (written to docs/ with HOLDFAST_SCREENSHOTS=1).
import t from 'tap';
import { toneShare } from '../helpers/audio-compare';
import { sleep, startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Customer, CUSTOMER_TONE, hearsTone, listen } from '../e2e/fixtures/parties';
import { AgentPage, ALICE } from './fixtures/agent-page';
import { BROWSER_TONE, chromiumMissing, launchChromium } from './fixtures/chromium';
import { screenshot } from './fixtures/screenshots';
import { SipWireTap } from './fixtures/sip-wire-tap';

const missing = chromiumMissing();

t.test('two-way audio between the agent page and a customer', { skip: missing }, async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const tap = await SipWireTap.open(t, hf.sip.ws!);
  const browser = await launchChromium(t);
  const agent = await AgentPage.open(t, browser, hf, tap);
  t.match(await agent.text('#redirection'), /active/, 'the page shows redirection is active');
  await agent.login(ALICE);
  await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');
  t.equal(hf.gw.agents.get('alice')!.contact?.profile, 'webrtc', 'registered over WebSocket');
  const register = tap.sent('REGISTER');
  t.ok(
    register.some((m) => /^Authorization: Digest /im.test(m.text)),
    'REGISTER answered a digest challenge',
  );

  // The customer's INVITE completes once the agent answers in the page.
  const calling = Customer.call(t, hf);
  await agent.waitForPhase('ringing');
  t.match(await agent.text('#call-state'), /Incoming call/);
  await agent.click('#answer');
  const customer = await calling;
  await agent.waitForPhase('connected');
  const call = [...hf.gw.calls.values()][0];
  await waitFor(() => call.state === 'connected', 'call connected');
  t.equal((await agent.state()).call.callId, call.id, 'the page knows the gateway call id');

  const invite = tap.received('INVITE')[0]?.text ?? '';
  t.match(invite, /UDP\/TLS\/RTP\/SAVPF/, 'the page is offered WebRTC media (DTLS-SRTP)');

  const heardByCustomer = await hearsTone(customer.ep, BROWSER_TONE, 1000);
  t.ok(
    heardByCustomer > 0.7,
    `the customer hears the browser's tone (share ${heardByCustomer.toFixed(2)})`,
  );
  const heardByAgent = await agent.hearsTone(CUSTOMER_TONE, 1000);
  t.ok(heardByAgent > 0.5, `the page hears the customer's tone (share ${heardByAgent.toFixed(2)})`);
  t.ok(
    (await agent.hearsTone(BROWSER_TONE, 400)) < 0.2,
    'and not its own tone (a check that can fail)',
  );

  // A notification from the omnichannel system reaches the page over its SSE stream.
  const posted = await hf.api('POST', '/v1/agents/alice/notifications', {
    type: 'chat-offer',
    data: { from: 'web chat' },
  });
  t.equal(posted.status, 201);
  t.match(
    await agent.waitForText('#notifications', /chat-offer/),
    /chat-offer/,
    'the notification is shown',
  );
  await screenshot(t, agent.page, 'agent-page-in-call.png');

  await agent.click('#mute');
  await waitFor(() => call.muted, 'muted on the gateway');
  t.match(await agent.waitForText('#call-flags', /MUTED/), /MUTED/, 'the page shows muted');
  const muted = await listen(customer.ep, 800);
  t.ok(toneShare(muted, BROWSER_TONE) < 0.1, 'muted: the customer no longer hears the browser');
  t.ok(
    (await agent.hearsTone(CUSTOMER_TONE, 800)) > 0.5,
    'muted: the agent still hears the customer',
  );

  await agent.click('#hold');
  await waitFor(() => call.held, 'held on the gateway');
  t.match(await agent.waitForText('#call-flags', /ON HOLD/), /ON HOLD/, 'the page shows on hold');
  // rtpengine stops forwarding once the hold is applied (after `held` turns true, later
  // under load); the browser's concealment fades out what it last had.
  await sleep(1500);
  const whileHeld = await agent.hearsTone(CUSTOMER_TONE, 800);
  t.ok(
    whileHeld < 0.2,
    `held: the agent no longer hears the customer (share ${whileHeld.toFixed(2)})`,
  );
  await agent.click('#hold');
  await agent.click('#mute');
  await waitFor(() => !call.held && !call.muted, 'resumed and unmuted');
  t.ok(
    (await hearsTone(customer.ep, BROWSER_TONE, 800)) > 0.7,
    'resumed: the customer hears the browser again',
  );

  await agent.click('#hangup');
  await agent.waitForPhase('ended');
  await hf.settled();
  t.same(agent.errors, [], 'no error in the page');
});
