// The agent's desktop drops and comes back, in a real browser: the redirection shim closes
// the page's RTCPeerConnection and stops its microphone, then fires
// rdpClientConnectionStateChanged. The page reports the loss at once (API + INFO); the
// customer must hear the disconnected prompt within 0.5 s. On "connected" the page builds
// a new peer connection and re-INVITEs on the same dialog; the re-INVITE read off the
// wire must carry new ICE credentials and a new DTLS fingerprint, and audio must flow both
// ways again with hold and mute as they were.
import path from 'node:path';
import t from 'tap';
import { joinSamples, toneShare } from '../helpers/audio-compare';
import { readWav } from '../helpers/audio-wav';
import { sleep, startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Customer, CUSTOMER_TONE, hearsTone } from '../e2e/fixtures/parties';
import { AgentPage, ALICE } from './fixtures/agent-page';
import { epochOf, promptOnset } from './fixtures/audio-timing';
import { BROWSER_TONE, chromiumMissing, launchChromium } from './fixtures/chromium';
import { screenshot } from './fixtures/screenshots';
import { iceAndDtls, sdpOf, SipWireTap } from './fixtures/sip-wire-tap';

const PROMPT = readWav(path.join(__dirname, '../../prompts/agent-disconnected.wav')).samples;

/** The SDP of the browser's 200 OK to the gateway's first INVITE. */
function firstAnswerSdp(tap: SipWireTap): string {
  const ok = tap.messages.find(
    (m) => m.dir === 'up' && m.text.startsWith('SIP/2.0 200') && /^CSeq: \d+ INVITE/im.test(m.text),
  );
  return ok ? sdpOf(ok.text) : '';
}

t.test(
  'desktop drop → prompt within 0.5 s; back within the window → new peer connection, re-INVITE, audio, hold and mute kept',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      // Media loss is slower than the explicit signal: the evidence must be the signal.
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
    await agent.waitForPhase('connected');
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'call connected');
    t.ok(
      (await hearsTone(customer.ep, BROWSER_TONE)) > 0.7,
      'before: the customer hears the browser',
    );

    // Mute, then the desktop drops.
    await agent.click('#mute');
    await agent.waitForText('#call-flags', /MUTED/);
    t.ok(call.muted, 'muted on the gateway');
    const dropAt = await agent.dropDesktop();
    t.equal(await agent.livePeerConnections(), 0, "the page's peer connection is gone");
    await waitFor(() => call.state === 'agentGone', 'the gateway sees the agent gone', 3000);
    t.equal(call.snapshot().gone, 'explicit-signal', 'on the explicit signal, not media loss');
    await sleep(2200);
    const onset = promptOnset(customer.ep, dropAt, PROMPT);
    t.ok(
      onset.score > 0.8,
      `the customer hears the disconnected prompt (correlation ${onset.score.toFixed(3)})`,
    );
    const latency = onset.atEpochMs - dropAt;
    t.ok(latency >= 0 && latency < 500, `within 0.5 s of the event (${latency.toFixed(0)} ms)`);
    await agent.waitForPhase('reconnecting');
    t.match(
      await agent.text('#desktop'),
      /disconnected/,
      'the page shows the desktop disconnected',
    );
    await screenshot(t, agent.page, 'agent-page-desktop-disconnected.png');

    // The desktop is back within the window.
    const invitesBefore = tap.sent('INVITE').length;
    const restoreAt = await agent.restoreDesktop();
    t.equal(await agent.recovered(restoreAt), 're-invite', 'the page re-INVITEd on its dialog');
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    t.equal(call.agentId, 'alice', 'the same agent');
    const reinvites = tap.sent('INVITE').slice(invitesBefore);
    t.equal(reinvites.length, 1, 'one re-INVITE on the wire');
    const before = iceAndDtls(firstAnswerSdp(tap));
    const afterDrop = iceAndDtls(sdpOf(reinvites[0].text));
    t.ok(before.ufrag && before.fingerprint, 'the first answer had ICE and DTLS');
    t.ok(afterDrop.ufrag && afterDrop.fingerprint, 'the re-INVITE has ICE and DTLS');
    t.not(afterDrop.ufrag, before.ufrag, 'new ICE credentials');
    t.not(afterDrop.fingerprint, before.fingerprint, 'a new DTLS fingerprint');
    const callId = /^Call-ID:\s*(\S+)/im;
    t.equal(
      callId.exec(reinvites[0].text)?.[1],
      callId.exec(tap.received('INVITE')[0].text)?.[1],
      'on the existing dialog',
    );
    t.equal(await agent.peerConnectionsMade(), 2, 'a new RTCPeerConnection');
    t.equal((await agent.state()).peerGeneration, 2);

    t.ok(call.muted, 'still muted on the gateway');
    t.match(await agent.waitForText('#call-flags', /MUTED/), /MUTED/, 'the page still shows muted');
    const agentHears = await agent.hearsTone(CUSTOMER_TONE, 800);
    t.ok(agentHears > 0.5, `the agent hears the customer again (share ${agentHears.toFixed(2)})`);
    const whileMuted = joinSamples(
      customer.ep.packets().filter((p) => epochOf(p.arrivalMs) > restoreAt + 1000),
    );
    t.ok(
      toneShare(whileMuted, BROWSER_TONE) < 0.1,
      'muted: the customer does not hear the browser',
    );
    await agent.click('#mute');
    await waitFor(() => !call.muted, 'unmuted');
    t.ok(
      (await hearsTone(customer.ep, BROWSER_TONE)) > 0.7,
      'unmuted: the customer hears the browser',
    );

    // A second drop, on hold this time: hold survives the same way.
    await agent.click('#hold');
    await agent.waitForText('#call-flags', /ON HOLD/);
    await agent.dropDesktop();
    await waitFor(() => call.state === 'agentGone', 'gone again', 3000);
    await sleep(300);
    const restore2 = await agent.restoreDesktop();
    t.equal(await agent.recovered(restore2), 're-invite', 'the second reconnect re-INVITEs too');
    await waitFor(() => call.state === 'connected', 'reattached again', 5000);
    t.ok(call.held, 'still on hold');
    t.match(
      await agent.waitForText('#call-flags', /ON HOLD/),
      /ON HOLD/,
      'the page still shows on hold',
    );
    t.equal(await agent.peerConnectionsMade(), 3, 'a third peer connection');
    await agent.click('#hold');
    await waitFor(() => !call.held, 'resumed');
    t.ok(
      (await agent.hearsTone(CUSTOMER_TONE, 800)) > 0.5,
      'resumed: the agent hears the customer',
    );
    t.ok((await hearsTone(customer.ep, BROWSER_TONE)) > 0.7, 'and the customer hears the browser');

    await agent.click('#hangup');
    await agent.waitForPhase('ended');
    await hf.settled();
    t.same(agent.errors, [], 'no error in the page');
  },
);
