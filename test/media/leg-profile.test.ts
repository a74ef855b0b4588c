// A leg's profile is first a guess from its transport; the SDP its party sends settles it.
import t from 'tap';
import { profileOfSdp } from '../../media/leg-profile';

const sdp = (proto: string) =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 ${proto} 0\r\n`;

t.test('the SDP a party sends says which of our profiles it speaks', async (t) => {
  t.equal(profileOfSdp(sdp('RTP/AVP')), 'rtp');
  t.equal(profileOfSdp(sdp('UDP/TLS/RTP/SAVPF')), 'webrtc');
  t.equal(profileOfSdp(sdp('RTP/SAVP')), undefined, 'SDES: neither, the guess stays');
  t.equal(profileOfSdp('not sdp'), undefined, 'unreadable: the guess stays');
  t.equal(profileOfSdp(sdp('RTP/AVP').replace(/m=audio.*\r\n/, '')), undefined, 'no audio');
});
