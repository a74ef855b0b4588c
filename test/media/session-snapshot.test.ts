// A MediaSession carried on by another process: the snapshot one session takes (as JSON,
// as the shared store keeps it) restores a session that goes on where the first stopped,
// on the same rtpengine call. Real rtpengine, real RTP: the customer (C) talks with an agent
// (P) set up by the first session; the restored one moves C to a new agent (S) with no
// re-INVITE to C, and deletes the call at the end.
import t from 'tap';
import { MediaSession } from '../../media/media-session';
import type { SessionSnapshot } from '../../media/session-snapshot';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { forwarding, hearing, party } from './party-audio';

t.test('a restored session reroutes the call the first one set up', async (t) => {
  const re = await rtpengineForTest(t);
  const [C, P, S] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'S')]);
  const first = new MediaSession(re.client, uniqueCallId('snapshot'));
  first.addLeg('C', 'rtp');
  C.setRemoteFromSdp(await first.acceptAlone('C', C.sdp()));
  P.setRemoteFromSdp(await first.attach('C', 'P', 'rtp'));
  const sentToC = await first.answer('P', P.sdp(), 'C');
  await first.block('P');
  t.same(await hearing({ C, P }), { C: [], P: ['C'] }, 'set up: P talks to C, blocked');
  await first.unblock('P');

  const snap = JSON.parse(JSON.stringify(first.snapshot())) as SessionSnapshot;
  // The first process is gone: nothing of it is used again.
  const next = MediaSession.restore(re.client, snap);
  t.teardown(() => next.close());
  t.same(next.legTags.sort(), ['C', 'P'], 'the parties are known');
  t.equal(next.leg('C')!.peer, 'P');
  t.same(await hearing({ C, P, S }), { C: ['P'], P: ['C'], S: [] }, 'still talking');

  S.setRemoteFromSdp(await next.attach('C', 'S', 'rtp'));
  const done = await next.complete('S', S.sdp());
  t.same(done.reoffer, [], 'no re-INVITE to C (it keeps its port)');
  await next.removeLeg('P');
  t.same(await hearing({ C, P, S }), { C: ['S'], P: [], S: ['C'] }, 'C and S talk');
  t.same(await forwarding(next), { C: ['S'], S: ['C'] });
  // A later SDP to C keeps the one origin it has had since the first session (RFC 3264 §8).
  const reoffer = await next.reofferTo('C');
  const origin = (sdp: string) =>
    sdp
      .split(/\r?\n/)
      .find((l) => l.startsWith('o='))!
      .split(' ');
  t.equal(origin(reoffer)[1], origin(sentToC)[1], 'same session id');
  await next.close();
  t.same(await re.callsLeft(), [], 'the call is deleted');
});
