// Blind transfers in one rtpengine call, with real RTP: the customer (C) talks with the
// agent (P), who transfers it to a target (T). While T rings C hears music (or T's early
// media) and P is left alone; T answers → C and T talk, P goes; T fails → C and P again.
import t, { type Test } from 'tap';
import { MediaSession } from '../../media/media-session';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { forwarding, hearing, MUSIC_FILE, party } from './party-audio';

async function transferRinging(t: Test) {
  const re = await rtpengineForTest(t);
  const [C, P, T] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'T')]);
  const session = new MediaSession(re.client, uniqueCallId('transfer'));
  t.teardown(() => session.close());
  session.addLeg('C', 'rtp');
  session.addLeg('P', 'rtp');
  P.setRemoteFromSdp(await session.offer('C', C.sdp(), 'P'));
  C.setRemoteFromSdp(await session.answer('P', P.sdp(), 'C'));
  t.same(await hearing({ C, P, T }), { C: ['P'], P: ['C'], T: [] }, 'C and P talk');

  // The transfer: T is offered C's media. T's phone already sends to the offered port.
  T.setRemoteFromSdp(await session.attach('C', 'T', 'rtp'));
  await session.play('C', MUSIC_FILE, 100);
  return { re, session, C, P, T };
}

t.test('T rings: C hears music only, P is alone, T is heard by nobody yet', async (t) => {
  const { session, C, P, T } = await transferRinging(t);
  t.same(await hearing({ C, P, T }), { C: ['music'], P: [], T: [] });
  t.equal(session.leg('C')!.pendingPeer, 'T');
  t.ok(session.leg('P')!.alone);
  t.same(await forwarding(session), { C: ['T'], P: ['P~alone'], 'P~alone': ['P'], T: ['C'] });
});

t.test('T answers after early media: C and T talk, P is removed', async (t) => {
  const { re, session, C, P, T } = await transferRinging(t);
  // 183 with SDP: C hears T's early media instead of the music.
  t.same((await session.complete('T', T.sdp())).reoffer, [], 'no re-INVITE to C');
  await session.stopPlaying('C');
  t.same(await hearing({ C, P, T }), { C: ['T'], P: [], T: ['C'] }, 'early media');
  // 200 OK (a new version of T's SDP), then P goes.
  t.same((await session.complete('T', T.sdp('sendrecv', 2))).reoffer, []);
  await session.removeLeg('P');
  t.same(await hearing({ C, P, T }), { C: ['T'], P: [], T: ['C'] }, 'C and T talk');
  t.same(await forwarding(session), { C: ['T'], T: ['C'] });
  await session.close();
  t.same(await re.callsLeft(), []);
});

t.test('T fails while ringing: C and P talk again, T is removed', async (t) => {
  const { session, C, P, T } = await transferRinging(t);
  t.same((await session.pair('C', 'P')).reoffer, [], 'no re-INVITE to C or P');
  await session.stopPlaying('C');
  t.same(
    await hearing({ C, P, T }),
    { C: ['P'], P: ['C'], T: [] },
    'T, never answered, is blocked',
  );
  await session.removeLeg('T');
  t.same(await hearing({ C, P, T }), { C: ['P'], P: ['C'], T: [] });
  t.same(await forwarding(session), { C: ['P'], P: ['C'] });
});

t.test('T fails after early media: C and P talk again', async (t) => {
  const { session, C, P, T } = await transferRinging(t);
  await session.complete('T', T.sdp());
  await session.stopPlaying('C');
  t.same(await hearing({ C, P, T }), { C: ['T'], P: [], T: ['C'] }, 'early media');
  t.same((await session.pair('C', 'P')).reoffer, []);
  t.ok(session.leg('T')!.alone, 'T is left alone until it is removed');
  t.same(await hearing({ C, P, T }), { C: ['P'], P: ['C'], T: [] });
  await session.removeLeg('T');
  t.same(await forwarding(session), { C: ['P'], P: ['C'] });
  // A late answer from T cannot steal C back.
  await t.rejects(session.complete('T', T.sdp()), /no leg "T"/);
});
