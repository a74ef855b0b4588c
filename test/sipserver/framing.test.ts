import t from 'tap';
import { StreamFramer } from '../../sipserver/transport/stream-framer';
import { encodeFrame, FrameDecoder, FrameError } from '../../sipserver/drachtio/frame-decoder';
import {
  decodeWireMessage,
  encodeWireMessage,
  wireTime,
} from '../../sipserver/drachtio/wire-message';

const msg = (body: string) =>
  `MESSAGE sip:a SIP/2.0\r\nCall-ID: 1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

t.test('stream framer cuts by Content-Length across chunk boundaries', async (t) => {
  const f = new StreamFramer(65536);
  const two = Buffer.from('\r\n\r\n' + msg('ü1') + msg('second'));
  const out: string[] = [];
  for (let i = 0; i < two.length; i += 7)
    out.push(...f.push(two.subarray(i, i + 7)).map((b) => b.toString()));
  t.same(out, [msg('ü1'), msg('second')], 'keep-alive CRLFs skipped, UTF-8 body measured in bytes');
});

t.test('stream framer refuses oversized and malformed streams', async (t) => {
  t.throws(
    () =>
      new StreamFramer(1024).push(Buffer.from('OPTIONS sip:a SIP/2.0\r\nX: ' + 'a'.repeat(2000))),
    /larger than/,
  );
  t.throws(() => new StreamFramer(1024).push(Buffer.from(msg('x'.repeat(2000)))), /exceeds/);
  t.throws(
    () =>
      new StreamFramer(1024).push(
        Buffer.from('OPTIONS sip:a SIP/2.0\r\nContent-Length: abc\r\n\r\n'),
      ),
    /Content-Length/,
  );
});

t.test('drachtio frames: byte lengths, partial and multiple frames', async (t) => {
  const d = new FrameDecoder();
  const a = encodeFrame('id1|ping');
  const b = encodeFrame('id2|sip|x|y\r\nINVITE ☎');
  const all = Buffer.concat([a, b]);
  t.same(d.push(all.subarray(0, 3)), []);
  t.same(d.push(all.subarray(3, a.length + 5)), ['id1|ping']);
  t.same(d.push(all.subarray(a.length + 5)), ['id2|sip|x|y\r\nINVITE ☎']);
});

t.test('drachtio frames: bad lengths are errors', async (t) => {
  t.throws(
    () => new FrameDecoder().push(Buffer.from('123456#x')),
    FrameError,
    'six digits refused',
  );
  t.throws(
    () => new FrameDecoder().push(Buffer.from('1234567')),
    FrameError,
    'six digits without # refused',
  );
  t.throws(() => new FrameDecoder().push(Buffer.from('12a#x')), FrameError);
  t.throws(() => new FrameDecoder().push(Buffer.from('#x')), FrameError);
  t.throws(() => new FrameDecoder().push(Buffer.from('0#')), FrameError);
});

t.test('wire messages keep empty positional fields', async (t) => {
  const m = decodeWireMessage('abc|sip||dlg|\r\nBYE sip:placeholder SIP/2.0\r\n\r\n');
  t.same(
    { id: m.id, type: m.type, args: m.args },
    { id: 'abc', type: 'sip', args: ['', 'dlg', ''] },
  );
  t.equal(m.sip, 'BYE sip:placeholder SIP/2.0\r\n\r\n');
  t.throws(() => decodeWireMessage('justone'));
  const enc = encodeWireMessage(['response', 'r1', 'OK', '', 'x']);
  t.match(enc, /^[0-9a-f-]{36}\|response\|r1\|OK\|\|x$/);
  t.match(wireTime(new Date(Date.UTC(2020, 0, 1, 3, 4, 5, 678))), '03:04:05.678000');
});
