// SdpOrigins (pure): one origin per leg, a version that moves by one exactly when the body
// changed, the first session name kept.
import t from 'tap';
import { randomSessionId, SdpOrigins } from '../../media/sdp-origin';

const sdp = (origin: string, name: string, port: number, extra: string[] = []) =>
  [
    'v=0',
    `o=${origin}`,
    `s=${name}`,
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    ...extra,
    '',
  ].join('\r\n');
const originOf = (s: string) => /^o=(.*)$/m.exec(s)![1];
const nameOf = (s: string) => /^s=(.*)$/m.exec(s)![1];

t.test('one origin per leg, versions move only when the body changes', async (t) => {
  const origins = new SdpOrigins(() => '4242');
  const first = origins.stamp('cust', sdp('- 1 1 IN IP4 127.0.0.1', 'holdfast-sink', 2000));
  t.equal(originOf(first), '- 4242 1 IN IP4 127.0.0.1');
  // Another peer's origin and session name, same body: nothing changes.
  const same = origins.stamp('cust', sdp('alice 99 7 IN IP4 10.0.0.1', 'agent', 2000));
  t.equal(originOf(same), '- 4242 1 IN IP4 127.0.0.1', 'same body, same version');
  t.equal(nameOf(same), 'holdfast-sink', 'the first session name stays');
  t.equal(same, first, 'byte for byte');
  const moved = origins.stamp('cust', sdp('bob 5 1 IN IP4 10.0.0.2', 'x', 2000, ['a=sendonly']));
  t.equal(originOf(moved), '- 4242 2 IN IP4 127.0.0.1', 'changed body: version + 1');
  const again = origins.stamp('cust', sdp('bob 5 9 IN IP4 10.0.0.2', 'x', 2000, ['a=sendonly']));
  t.equal(originOf(again), '- 4242 2 IN IP4 127.0.0.1');
  const back = origins.stamp('cust', sdp('- 1 1 IN IP4 127.0.0.1', 'y', 2000));
  t.equal(originOf(back), '- 4242 3 IN IP4 127.0.0.1', 'a change back is a change too');
  t.equal(origins.lastSent('cust'), back);
  t.ok(back.includes('\r\n') && !/[^\r]\n/.test(back), 'line endings kept');
});

t.test('legs are independent; forget() starts a leg afresh', async (t) => {
  let n = 0;
  const origins = new SdpOrigins(() => String(++n));
  const a = origins.stamp('a', sdp('- 1 1 IN IP4 127.0.0.1', '-', 1000));
  const b = origins.stamp('b', sdp('- 1 1 IN IP4 127.0.0.1', '-', 1000));
  t.equal(originOf(a), '- 1 1 IN IP4 127.0.0.1');
  t.equal(originOf(b), '- 2 1 IN IP4 127.0.0.1');
  origins.stamp('a', sdp('- 1 1 IN IP4 127.0.0.1', '-', 1002));
  t.equal(originOf(origins.lastSent('b')!), '- 2 1 IN IP4 127.0.0.1', "a's change is not b's");
  origins.forget('a');
  t.equal(origins.lastSent('a'), undefined);
  t.equal(
    originOf(origins.stamp('a', sdp('- 1 1 IN IP4 127.0.0.1', '-', 1))),
    '- 3 1 IN IP4 127.0.0.1',
  );
});

t.test('an SDP without o= gets one; a malformed o= keeps a valid address', async (t) => {
  const origins = new SdpOrigins(() => '7');
  const body = 'v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4 RTP/AVP 0\r\n';
  t.match(origins.stamp('x', body), /^v=0\r\no=- 7 1 IN IP4 0\.0\.0\.0\r\ns=-\r\n/);
  t.match(origins.stamp('y', sdp('broken', '-', 4)), /^o=- 7 1 IN IP4 0\.0\.0\.0$/m);
});

t.test('random session ids are numeric and differ', async (t) => {
  const ids = new Set(Array.from({ length: 50 }, randomSessionId));
  t.equal(ids.size, 50);
  for (const id of ids) t.match(id, /^[1-9]\d*$/);
});
