// Consults in one rtpengine call, with real RTP: the customer (C) talks with the primary
// agent (P), who consults a secondary agent (S). Every party sends its own tone; what each
// one hears is decoded, and so is what nobody must hear. No party is ever re-INVITEd: each
// keeps sending to the port of the first SDP it got (port latching).
import t, { type Test } from 'tap';
import { MediaSession } from '../../media/media-session';
import { Playback } from '../../media/playback';
import { validatePrompt } from '../../media/prompt-validator';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { forwarding, hearing, MUSIC_FILE, party, PROMPT_FILE, sleep } from './party-audio';

/** C queued alone, then answered by P: the gateway's flow for a first agent. */
async function customerWithAgent(t: Test) {
  const re = await rtpengineForTest(t);
  const [C, P, S] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'S')]);
  const session = new MediaSession(re.client, uniqueCallId('consult'));
  t.teardown(() => session.close());
  session.addLeg('C', 'rtp');
  C.setRemoteFromSdp(await session.acceptAlone('C', C.sdp()));
  P.setRemoteFromSdp(await session.attach('C', 'P', 'rtp'));
  await session.answer('P', P.sdp(), 'C');
  t.same(await hearing({ C, P, S }), { C: ['P'], P: ['C'], S: [] }, 'C and P talk');
  return { re, session, C, P, S };
}

/** P consults S: S is offered P's media; C is left alone with wait music. */
async function consult(t: Test) {
  const call = await customerWithAgent(t);
  const { session, S } = call;
  S.setRemoteFromSdp(await session.attach('P', 'S', 'rtp'));
  t.ok(session.leg('C')!.alone, 'C is alone as soon as S is offered P');
  const done = await session.complete('S', S.sdp());
  t.same(done.reoffer, [], 'nobody needs a re-INVITE (P keeps its port)');
  await session.play('C', MUSIC_FILE, 100);
  return call;
}

t.test('consult: P and S talk, C hears only music and nobody hears C', async (t) => {
  const { session, C, P, S } = await consult(t);
  t.same(await hearing({ C, P, S }), { C: ['music'], P: ['S'], S: ['P'] });
  t.same(
    await forwarding(session),
    { C: ['C~alone'], 'C~alone': ['C'], P: ['S'], S: ['P'] },
    "rtpengine forwards C's media to its stand-in only",
  );
  t.equal(session.leg('P')!.peer, 'S');
  t.equal(session.leg('C')!.peer, undefined);
});

t.test('consult cancelled: C and P talk again, S is gone, the music stops', async (t) => {
  const { re, session, C, P, S } = await consult(t);
  t.same((await session.pair('C', 'P')).reoffer, [], 'no re-INVITE to C or P');
  await session.stopPlaying('C');
  await session.removeLeg('S');
  t.same(await hearing({ C, P, S }), { C: ['P'], P: ['C'], S: [] });
  t.same(await forwarding(session), { C: ['P'], P: ['C'] }, 'S and the stand-in are gone');
  t.same(session.legTags.sort(), ['C', 'P']);
  await session.close();
  t.same(await re.callsLeft(), []);
});

t.test('consult completed: C talks with S, P is gone', async (t) => {
  const { session, C, P, S } = await consult(t);
  t.same((await session.pair('C', 'S')).reoffer, [], 'no re-INVITE to C or S');
  await session.stopPlaying('C');
  await session.removeLeg('P');
  t.same(await hearing({ C, P, S }), { C: ['S'], P: [], S: ['C'] });
  t.same(await forwarding(session), { C: ['S'], S: ['C'] });
});

t.test('primary gone during a consult: S hears the prompt then music; P back', async (t) => {
  const { session, C, P, S } = await consult(t);
  const prompt = await validatePrompt(PROMPT_FILE);
  const music = await validatePrompt(MUSIC_FILE);
  const playback = new Playback(session, { listener: 'S', absent: 'P', prompt, music });
  await playback.start();
  // P is gone (its desktop dropped): what it hears no longer matters, what it says must not.
  const duringPrompt = await hearing({ C, S }, { settleMs: 100, ms: 1500 });
  t.same(duringPrompt, { C: ['music'], S: ['prompt'] }, 'S hears the prompt, not P');
  await sleep(prompt.durationMs + 300 - 1600);
  t.same(await hearing({ C, S }), { C: ['music'], S: ['music'] }, 'then music');
  t.equal(playback.state, 'music');

  // P comes back on its dialog from a new socket (re-INVITE): P and S talk again.
  const back = await party(t, 'P');
  await P.close();
  back.setRemoteFromSdp(await session.renegotiate('P', back.sdp('sendrecv', 2)));
  await playback.stop();
  t.same(await hearing({ C, P: back, S }), { C: ['music'], P: ['S'], S: ['P'] });
});

t.test('primary back on a new leg during a consult: S talks with it', async (t) => {
  const { session, C, P, S } = await consult(t);
  const music = await validatePrompt(MUSIC_FILE);
  const playback = new Playback(session, { listener: 'S', absent: 'P', music });
  await playback.start();
  t.same(await hearing({ C, P, S }), { C: ['music'], P: ['S'], S: ['music'] });

  // P registered again: a new INVITE (new tag) offered S's media; the old leg goes.
  const P2 = await party(t, 'P');
  P2.setRemoteFromSdp(await session.attach('S', 'P2', 'rtp'));
  t.same((await session.complete('P2', P2.sdp())).reoffer, []);
  await playback.stop();
  await session.removeLeg('P');
  t.same(await hearing({ C, P, P2, S } as never), { C: ['music'], P: [], P2: ['S'], S: ['P'] });
  t.same(await forwarding(session), { C: ['C~alone'], 'C~alone': ['C'], P2: ['S'], S: ['P2'] });
});
