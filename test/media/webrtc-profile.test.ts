// The 'webrtc' leg profile against a real rtpengine: the offer and answer rtpengine produces
// are checked attribute by attribute, then a real WebRTC stack (werift: ICE, DTLS, SRTP in
// TypeScript) answers as the agent's browser would. ICE completes, the DTLS-SRTP handshake
// completes with a client certificate that rtpengine verifies against the answer's
// fingerprint, and SRTP from the agent reaches the plain-RTP customer decrypted.
import t from 'tap';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { MediaSession } from '../../media/media-session';
import { attr, attrs, audioOf, parseSdp } from '../../media/sdp';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { buildRtp } from '../helpers/rtp-packet';
import { encodeUlaw } from '../helpers/audio-g711';
import { tone } from '../helpers/audio-wav';
import { toneShare, joinSamples } from '../helpers/audio-compare';

const AGENT_SSRC = 0x0a0b0c0d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Only loopback candidates: tests keep their traffic on 127.0.0.0/8. */
const loopbackOnly = (sdp: string) =>
  sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || / 127\.\d+\.\d+\.\d+ /.test(l))
    .join('\r\n');

t.test('webrtc offer and answer SDP carry ICE, DTLS and rtcp-mux, and no SDES', async (t) => {
  const re = await rtpengineForTest(t);
  const customer = await RtpEndpoint.open();
  t.teardown(() => customer.close());
  const session = new MediaSession(re.client, uniqueCallId('webrtc'));
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'webrtc');
  const offerSdp = await session.offer('cust', customer.sdp(), 'agent');
  const offer = parseSdp(offerSdp);
  const audio = audioOf(offer)!;
  t.equal(audio.proto, 'UDP/TLS/RTP/SAVPF');
  t.match(attr(audio, 'fingerprint'), /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.equal(attr(audio, 'setup'), 'actpass');
  t.match(attr(audio, 'ice-ufrag'), /^\S{4,}$/);
  t.match(attr(audio, 'ice-pwd'), /^\S{22,}$/);
  const candidates = attrs(audio, 'candidate');
  t.ok(candidates.length >= 1, `${candidates.length} candidate(s)`);
  t.ok(
    candidates.every((c) => / 127\.0\.0\.1 \d+ typ host/.test(c)),
    'host candidates on loopback',
  );
  t.equal(attr(audio, 'rtcp-mux'), '');
  t.ok(attr(audio, 'mid') !== undefined, 'a=mid generated');
  t.equal(attrs(audio, 'crypto').length, 0, 'no a=crypto (SDES off)');
  t.same(audio.formats.slice(0, 2), ['0', '8']);

  // The other direction: a WebRTC agent's SDP becomes plain RTP/AVP for the customer.
  const pc = new RTCPeerConnection({
    iceServers: [], // werift defaults to a public STUN server: loopback only here
    iceUseIpv6: false,
    iceUseTcp: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  t.teardown(() => pc.close());
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  await pc.setLocalDescription(await pc.createAnswer());
  const toCustomer = audioOf(
    parseSdp(await session.answer('agent', loopbackOnly(pc.localDescription!.sdp), 'cust')),
  )!;
  t.equal(toCustomer.proto, 'RTP/AVP');
  t.equal(attr(toCustomer, 'fingerprint'), undefined);
  t.equal(attr(toCustomer, 'ice-ufrag'), undefined);
  t.equal(attrs(toCustomer, 'candidate').length, 0);
});

t.test(
  'ICE, then a DTLS-SRTP handshake with a client certificate, against rtpengine',
  async (t) => {
    const re = await rtpengineForTest(t);
    const customer = await RtpEndpoint.open();
    t.teardown(() => customer.close());
    // werift (the test's browser stand-in) sometimes stalls its DTLS handshake on a loaded
    // machine without retransmitting; a fresh attempt is what a browser's ICE restart does.
    // Up to three attempts, each one a whole new session; the assertions below are on the last.
    const attempt = async (n: number) => {
      const session = new MediaSession(re.client, uniqueCallId(`dtls${n}`));
      t.teardown(() => session.close());
      session.addLeg('cust', 'rtp');
      session.addLeg('agent', 'webrtc');
      const offer = await session.offer('cust', customer.sdp(), 'agent');

      const pc = new RTCPeerConnection({
        codecs: {
          audio: [
            new RTCRtpCodecParameters({
              mimeType: 'audio/PCMU',
              clockRate: 8000,
              channels: 1,
              payloadType: 0,
            }),
          ],
        },
        iceServers: [], // werift defaults to a public STUN server: loopback only here
        iceUseIpv6: false,
        iceUseTcp: false,
        iceInterfaceAddresses: { udp4: '127.0.0.1' },
        iceAdditionalHostAddresses: ['127.0.0.1'], // loopback is not gathered by default
      });
      t.teardown(() => pc.close());
      const states: string[] = [];
      pc.connectionStateChange.subscribe((s) => states.push(s));
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      const transceiver = pc.getTransceivers()[0];
      transceiver.setDirection('sendrecv');
      const track = new MediaStreamTrack({ kind: 'audio' });
      transceiver.sender.replaceTrack(track);
      await pc.setLocalDescription(await pc.createAnswer());
      const answerSdp = loopbackOnly(pc.localDescription!.sdp);
      t.equal(
        attr(audioOf(parseSdp(answerSdp))!, 'setup'),
        'active',
        'the browser side is the DTLS client',
      );
      customer.setRemoteFromSdp(await session.answer('agent', answerSdp, 'cust'));

      const deadline = Date.now() + 8000;
      while (!states.includes('connected') && Date.now() < deadline) await sleep(50);
      return { session, pc, track, states };
    };
    let run = await attempt(1);
    for (let n = 2; n <= 3 && !run.states.includes('connected'); n++) {
      t.comment(`attempt ${n - 1} stalled (${run.states.join(' → ')}); retrying`);
      await run.pc.close();
      await run.session.close();
      run = await attempt(n);
    }
    const { session, track, states } = run;
    t.ok(states.includes('connected'), `ICE + DTLS connected (states: ${states.join(' → ')})`);

    // The agent sends a 1 kHz tone over SRTP; the customer must get it as plain RTP.
    const pcm = tone(1000, 1000);
    let seq = 0;
    const sender = setInterval(() => {
      const frame = pcm.subarray((seq % 50) * 160, (seq % 50) * 160 + 160);
      track.writeRtp(
        buildRtp({
          payloadType: 0,
          marker: false,
          sequence: seq,
          timestamp: seq * 160,
          ssrc: AGENT_SSRC,
          payload: encodeUlaw(frame),
        }),
      );
      seq++;
    }, 20);
    t.teardown(() => clearInterval(sender));
    await sleep(1000);
    clearInterval(sender);
    const received = customer.packets();
    t.ok(received.length >= 20, `customer got ${received.length} packets decrypted from SRTP`);
    t.ok(toneShare(joinSamples(received), 1000) > 0.8, 'and they carry the agent tone');

    const q = await session.request('query');
    const media = q.tags!.agent.medias[0];
    t.ok(media.flags!.includes('DTLS-SRTP'), 'rtpengine: DTLS-SRTP');
    const rtp = media.streams[0];
    t.ok(
      rtp.flags!.includes('DTLS fingerprint verified'),
      "rtpengine verified the client certificate's fingerprint",
    );
    t.match(
      (rtp as unknown as Record<string, string>)['crypto suite'],
      /AES/,
      'an SRTP suite was negotiated',
    );
  },
);
