// MediaSession's pairing at its edges, against a real rtpengine with real RTP: a removed
// partner never takes the call with it, a caller's block survives re-pairing, and misuse
// gets a clear error instead of silently stealing a party.
import t, { type Test } from 'tap';
import { MediaSession } from '../../media/media-session';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { forwarding, hearing, MUSIC_FILE, party } from './party-audio';

async function newSession(t: Test) {
  const re = await rtpengineForTest(t);
  const s = new MediaSession(re.client, uniqueCallId('edges'));
  t.teardown(() => s.close());
  return { re, session: s };
}

t.test(
  'the agent that gave early media fails: the customer stays, alone, with music',
  async (t) => {
    const { re, session } = await newSession(t);
    const [C, P, S] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'S')]);
    session.addLeg('C', 'rtp');
    C.setRemoteFromSdp(await session.acceptAlone('C', C.sdp()));
    P.setRemoteFromSdp(await session.attach('C', 'P', 'rtp'));
    await session.answer('P', P.sdp(), 'C'); // 183 with SDP: the stand-in is gone
    t.same(await hearing({ C, P }), { C: ['P'], P: ['C'] }, 'early media');
    await session.removeLeg('P'); // the INVITE failed after all
    t.same(await forwarding(session), { C: ['C~alone'], 'C~alone': ['C'] }, 'C is alone');
    await session.play('C', MUSIC_FILE, 100);
    t.same(await hearing({ C, P }), { C: ['music'], P: [] });

    S.setRemoteFromSdp(await session.attach('C', 'S', 'rtp'));
    await session.answer('S', S.sdp(), 'C');
    await session.stopPlaying('C');
    t.same(await hearing({ C, P, S }), { C: ['S'], P: [], S: ['C'] }, 'the next agent answers');
    await session.close();
    t.same(await re.callsLeft(), []);
  },
);

t.test("a caller's block (hold) survives a consult and its cancel", async (t) => {
  const { session } = await newSession(t);
  const [C, P, S] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'S')]);
  session.addLeg('C', 'rtp');
  session.addLeg('P', 'rtp');
  P.setRemoteFromSdp(await session.offer('C', C.sdp(), 'P'));
  C.setRemoteFromSdp(await session.answer('P', P.sdp(), 'C'));
  // The gateway holds C the way it does today: a raw 'block media' through request().
  await session.request('block media', { 'from-tag': 'C' });
  S.setRemoteFromSdp(await session.attach('P', 'S', 'rtp'));
  await session.complete('S', S.sdp());
  await session.pair('C', 'P');
  await session.removeLeg('S');
  t.same(await hearing({ C, P, S }), { C: ['P'], P: [], S: [] }, 'C is still on hold');
  await session.request('unblock media', { 'from-tag': 'C' });
  t.same(await hearing({ C, P, S }), { C: ['P'], P: ['C'], S: [] }, 'resumed');
  // And the other way: unblocking a party that is alone does not make it heard.
  await session.isolate('C');
  await session.unblock('C');
  t.same(await hearing({ C, P }), { C: [], P: [] }, 'isolate leaves both alone');
  t.ok(session.leg('C')!.alone && session.leg('P')!.alone);
});

t.test('misuse is a clear error, and leaves the call as it was', async (t) => {
  const { session } = await newSession(t);
  const [C, P] = await Promise.all([party(t, 'C'), party(t, 'P')]);
  session.addLeg('C', 'rtp');
  session.addLeg('P', 'rtp');
  P.setRemoteFromSdp(await session.offer('C', C.sdp(), 'P'));
  C.setRemoteFromSdp(await session.answer('P', P.sdp(), 'C'));
  await t.rejects(session.pair('C', 'C'), /cannot pair C with itself/);
  await t.rejects(session.pair('C', 'nobody'), /no leg "nobody"/);
  await session.attach('C', 'T', 'rtp');
  await t.rejects(session.pair('C', 'T'), /leg T has sent no SDP yet/);
  await t.rejects(session.isolate('T'), /leg T has sent no SDP yet/);
  await t.rejects(session.renegotiate('C', C.sdp('sendrecv', 2)), /offer to T awaits its answer/);
  await t.rejects(session.complete('P', P.sdp()), /no offer to leg P is outstanding/);
  t.throws(() => session.addLeg('C~alone', 'rtp'), /reserved/);
  await session.pair('C', 'P');
  await t.rejects(session.answer('T', P.sdp(), 'C'), /T cannot answer C/);
  t.same(await hearing({ C, P }), { C: ['P'], P: ['C'] });
});
