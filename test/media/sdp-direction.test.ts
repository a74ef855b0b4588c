// Direction arithmetic (RFC 3264 §6.1) and rewriting directions in SDP bodies.
import t from 'tap';
import { answerDirection, directionOf, sends, withDirection } from '../../media/sdp-direction';
import { parseSdp } from '../../media/sdp';

t.test('answer directions', async (t) => {
  t.equal(answerDirection('sendrecv', 'sendrecv'), 'sendrecv');
  t.equal(answerDirection('sendonly', 'sendrecv'), 'recvonly');
  t.equal(answerDirection('recvonly', 'sendrecv'), 'sendonly');
  t.equal(answerDirection('inactive', 'sendrecv'), 'inactive');
  t.equal(answerDirection('sendrecv', 'recvonly'), 'recvonly');
  t.equal(directionOf(false, false), 'inactive');
  t.ok(sends('sendonly'));
  t.notOk(sends('recvonly'));
});

t.test('withDirection puts one direction at the end of each media section', async (t) => {
  // A browser's layout: c= inside the media section, after m=.
  const browser = [
    'v=0',
    'o=- 1 0 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    'a=msid-semantic:WMS *',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    'c=IN IP4 0.0.0.0',
    'a=recvonly',
    'a=mid:0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'c=IN IP4 0.0.0.0',
    'a=mid:1',
    '',
  ].join('\r\n');
  const out = withDirection(browser, 'sendonly');
  const lines = out.split('\r\n');
  t.same(lines.slice(5), [
    'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=sendonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'c=IN IP4 0.0.0.0',
    'a=mid:1',
    'a=sendonly',
    '',
  ]);
  t.same(
    parseSdp(out).media.map((m) => m.direction),
    ['sendonly', 'sendonly'],
  );
  t.equal(
    withDirection('v=0\ns=-\nm=audio 4 RTP/AVP 0\na=inactive', 'sendrecv'),
    'v=0\ns=-\nm=audio 4 RTP/AVP 0\na=sendrecv',
  );
  t.equal(withDirection('v=0\r\ns=-\r\n', 'sendrecv'), 'v=0\r\ns=-\r\n', 'no media, nothing added');
});
