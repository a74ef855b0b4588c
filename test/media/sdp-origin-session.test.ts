// The SDPs a party gets from MediaSession over a whole dialog, against a real rtpengine:
// one origin (username, session id, address) throughout, the version moving by one exactly
// when the body changed (RFC 3261 §13.2.1, RFC 3264 §8) — for the customer across the queue
// (183), the first agent (200), an agent change and re-INVITEs, and for a WebRTC agent
// across re-INVITEs with new ICE credentials and a consult that comes back.
import t, { type Test } from 'tap';
import { RTCPeerConnection } from 'werift';
import { MediaSession } from '../../media/media-session';
import { attr, audioOf, parseSdp } from '../../media/sdp';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';

interface Origin {
  username: string;
  sessionId: string;
  version: number;
  address: string;
}

function originOf(sdp: string): Origin {
  const [username, sessionId, version, ...address] = parseSdp(sdp).origin!.split(' ');
  return { username, sessionId, version: Number(version), address: address.join(' ') };
}

const withoutOrigin = (sdp: string) =>
  sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('o='))
    .join('\n');

/** Checks a party's SDPs in the order it got them; returns their versions. */
function checkDialog(t: Test, name: string, sdps: string[]): number[] {
  const first = originOf(sdps[0]);
  const sessionNames = new Set(sdps.map((s) => /^s=(.*)$/m.exec(s)?.[1]));
  t.equal(sessionNames.size, 1, `${name}: one session name (${[...sessionNames].join(', ')})`);
  for (const [i, sdp] of sdps.entries()) {
    const o = originOf(sdp);
    t.same(
      { username: o.username, sessionId: o.sessionId, address: o.address },
      { username: first.username, sessionId: first.sessionId, address: first.address },
      `${name} #${i}: same origin`,
    );
    if (i === 0) continue;
    const before = originOf(sdps[i - 1]).version;
    const changed = withoutOrigin(sdp) !== withoutOrigin(sdps[i - 1]);
    t.equal(o.version, before + (changed ? 1 : 0), `${name} #${i}: version ${o.version}`);
  }
  return sdps.map((s) => originOf(s).version);
}

/** A browser's answer (werift), loopback candidates only. */
async function browserAnswer(t: Test, offer: string): Promise<string> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceUseTcp: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  t.teardown(() => pc.close());
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  return pc
    .localDescription!.sdp.split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || / 127\.\d+\.\d+\.\d+ /.test(l))
    .join('\r\n');
}

const newIceCredentials = (sdp: string, n: number) =>
  sdp
    .replace(/^a=ice-ufrag:.*$/m, `a=ice-ufrag:re${n}x`)
    .replace(/^a=ice-pwd:.*$/m, `a=ice-pwd:restartedpassword${n}abcdefgh`);

t.test('the customer sees one origin from the 183 to the last re-INVITE', async (t) => {
  const re = await rtpengineForTest(t);
  const [cust, agent1, agent2] = await Promise.all([0, 1, 2].map(() => RtpEndpoint.open()));
  t.teardown(() => Promise.all([cust, agent1, agent2].map((e) => e.close())));
  const session = new MediaSession(re.client, uniqueCallId('origin'));
  t.teardown(() => session.close());
  const toCustomer: string[] = [];
  session.addLeg('cust', 'rtp');
  toCustomer.push(await session.acceptAlone('cust', cust.sdp())); // 183, queued
  await session.attach('cust', 'agent1', 'rtp');
  toCustomer.push(await session.answer('agent1', agent1.sdp(), 'cust')); // 200
  await session.attach('cust', 'agent2', 'rtp'); // reroute: nothing is sent to the customer
  t.same((await session.complete('agent2', agent2.sdp())).reoffer, []);
  await session.removeLeg('agent1');
  toCustomer.push(await session.renegotiate('cust', cust.sdp('sendrecv', 2))); // same media
  toCustomer.push(await session.renegotiate('cust', cust.sdp('sendonly', 3))); // hold
  toCustomer.push(await session.renegotiate('cust', cust.sdp('sendrecv', 4))); // resume
  toCustomer.push(await session.renegotiate('cust', cust.sdp('sendrecv', 5)));

  const versions = checkDialog(t, 'customer', toCustomer);
  t.equal(versions[0], 1);
  t.ok(versions[3] > versions[2], 'hold changed the session');
  t.equal(versions[5], versions[4], 'a re-INVITE that changes nothing keeps the version');
  t.not(originOf(toCustomer[0]).sessionId, '1', "not the stand-in's origin");
  t.notMatch(toCustomer.join('\n'), /holdfast-sink/, 'nothing of the stand-in shows');
  t.equal(originOf(toCustomer[0]).address, 'IN IP4 127.0.0.1', "rtpengine's address");
});

t.test('a WebRTC agent sees one origin; its version moves only when ours changes', async (t) => {
  const re = await rtpengineForTest(t);
  const cust = await RtpEndpoint.open();
  t.teardown(() => cust.close());
  const session = new MediaSession(re.client, uniqueCallId('origin-webrtc'));
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'webrtc');
  const toAgent: string[] = [];
  toAgent.push(await session.offer('cust', cust.sdp(), 'agent'));
  let agentSdp = await browserAnswer(t, toAgent[0]);
  await session.answer('agent', agentSdp, 'cust');

  // The agent's desktop reconnects: a re-INVITE with new ICE credentials. rtpengine answers
  // an ICE restart with credentials of its own (measured): the session changed, once.
  agentSdp = newIceCredentials(agentSdp, 1);
  toAgent.push(await session.renegotiate('agent', agentSdp));
  toAgent.push(await session.renegotiate('agent', agentSdp)); // refresh: nothing new
  // The customer's re-INVITEs (new versions of the same media) do not reach the agent's SDP.
  await session.renegotiate('cust', cust.sdp('sendrecv', 7));
  toAgent.push(await session.renegotiate('agent', agentSdp));

  // A consult and back: the agent's ICE, DTLS and port stay; nothing is sent to it.
  session.addLeg('second', 'webrtc');
  const toSecond = await session.offer('agent', agentSdp, 'second');
  const second = audioOf(parseSdp(toSecond))!;
  t.equal(second.proto, 'UDP/TLS/RTP/SAVPF', 'the consulted agent gets a WebRTC offer');
  t.equal(attr(second, 'setup'), 'actpass');
  t.ok(attr(second, 'ice-ufrag') && attr(second, 'fingerprint'), 'with ICE and DTLS');
  t.not(attr(second, 'ice-ufrag'), attr(audioOf(parseSdp(toAgent[0]))!, 'ice-ufrag'));
  t.same((await session.complete('second', await browserAnswer(t, toSecond))).reoffer, []);
  t.same((await session.pair('cust', 'agent')).reoffer, [], 'no re-INVITE to the agent');
  await session.removeLeg('second');
  toAgent.push(await session.renegotiate('agent', agentSdp));
  agentSdp = newIceCredentials(agentSdp, 2);
  toAgent.push(await session.renegotiate('agent', agentSdp));

  const versions = checkDialog(t, 'agent', toAgent);
  t.same(versions, [1, 2, 2, 2, 2, 3], 'one step per ICE restart, none otherwise');
});
