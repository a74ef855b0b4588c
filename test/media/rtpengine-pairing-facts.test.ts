// What rtpengine 10.5 itself does when tags are re-paired, with raw ng commands and real
// RTP: the facts MediaSession and CallTopology are built on (media/README.md). If a new
// rtpengine changes one of them, this file says which, before the scenarios break.
import t, { type Test } from 'tap';
import { profileFlags } from '../../media/leg-profile';
import type { NgClient } from '../../media/ng-client';
import type { NgCommand, NgParams } from '../../media/ng-types';
import { audioOf, parseSdp } from '../../media/sdp';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { hearing, party } from './party-audio';

function ng(client: NgClient, callId: string) {
  const request = (command: NgCommand, params: NgParams = {}) =>
    client.request(command, { 'call-id': callId, ...params });
  const sdpOf = async (command: 'offer' | 'answer', from: string, to: string, sdp: string) =>
    (await request(command, { ...profileFlags('rtp'), 'from-tag': from, 'to-tag': to, sdp }))
      .sdp as string;
  return {
    request,
    offer: (from: string, to: string, sdp: string) => sdpOf('offer', from, to, sdp),
    answer: (answerer: string, offerer: string, sdp: string) =>
      sdpOf('answer', offerer, answerer, sdp),
  };
}

const portOf = (sdp: string) => audioOf(parseSdp(sdp))!.port;

async function twoParties(t: Test) {
  const re = await rtpengineForTest(t);
  const [C, P, S] = await Promise.all([party(t, 'C'), party(t, 'P'), party(t, 'S')]);
  const callId = uniqueCallId('facts');
  const e = ng(re.client, callId);
  t.teardown(() => e.request('delete', { 'delete delay': 0 }).catch(() => {}));
  const toP = await e.offer('C', 'P', C.sdp());
  const toC = await e.answer('P', 'C', P.sdp());
  P.setRemoteFromSdp(toP);
  C.setRemoteFromSdp(toC);
  t.same(await hearing({ C, P, S }), { C: ['P'], P: ['C'], S: [] });
  return { e, C, P, S, toP, toC };
}

t.test('re-pairing P with S: nobody else hears P, but P still hears C', async (t) => {
  const { e, C, P, S, toP, toC } = await twoParties(t);
  const toS = await e.offer('P', 'S', P.sdp());
  S.setRemoteFromSdp(toS);
  const forP = await e.answer('S', 'P', S.sdp());
  t.equal(portOf(forP), portOf(toP), "P's port is kept (port latching)");
  t.not(portOf(toS), portOf(toC), 'S gets ports of its own');
  t.same(await hearing({ C, P, S }), { C: [], P: ['C', 'S'], S: ['P'] });
});

t.test("'block media' blocks the sender towards everyone: a to-tag is ignored", async (t) => {
  const { e, C, P, S } = await twoParties(t);
  // C's media goes to P only; a to-tag naming someone else still silences C towards P.
  const reply = await e.request('block media', { 'from-tag': 'C', 'to-tag': 'S' });
  t.equal(reply.result, 'ok');
  t.same(await hearing({ C, P, S }), { C: ['P'], P: [], S: [] });
});

t.test('what a party sends to its offered port is forwarded before it answers', async (t) => {
  const { e, C, P } = await twoParties(t);
  const T = await party(t, 'T');
  T.setRemoteFromSdp(await e.offer('C', 'T', C.sdp()));
  // C hears T (and still P, its previous partner); T hears nothing: no address yet.
  t.same(await hearing({ C, P, T }), { C: ['P', 'T'], P: [], T: [] });
});

t.test('the o= session id comes from the peer, even with username and SDP-version', async (t) => {
  const re = await rtpengineForTest(t);
  const [C, P] = await Promise.all([party(t, 'C'), party(t, 'P')]);
  const callId = uniqueCallId('facts-origin');
  const request = (command: NgCommand, params: NgParams) =>
    re.client.request(command, { 'call-id': callId, ...params });
  t.teardown(() => request('delete', { 'delete delay': 0 }).catch(() => {}));
  const flags = {
    ...profileFlags('rtp'),
    replace: ['origin', 'session-connection', 'username', 'SDP-version', 'session-name'],
  };
  const sessionIdFor = async (to: string, sdp: string) => {
    await request('offer', { ...flags, 'from-tag': 'C', 'to-tag': to, sdp: C.sdp() });
    const reply = await request('answer', { ...flags, 'from-tag': 'C', 'to-tag': to, sdp });
    return parseSdp(reply.sdp as string).origin!.split(' ')[1];
  };
  const standIn = P.sdp().replace(/^o=.*$/m, 'o=- 1 1 IN IP4 127.0.0.1');
  t.equal(await sessionIdFor('K', standIn), '1');
  t.equal(await sessionIdFor('P', P.sdp()), String(P.ssrc), "now the agent's session id");
});

t.test('deleting the only partner of a tag deletes that tag, and the call with it', async (t) => {
  const { e } = await twoParties(t);
  await e.request('delete', { 'from-tag': 'P', 'delete delay': 0 });
  await t.rejects(e.request('query'), /Unknown call-id/i);
});
