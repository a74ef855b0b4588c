import t from 'tap';
import { parseMessage } from '../../sipserver/message/parse';
import { serialize } from '../../sipserver/message/serialize';
import { SipParseError } from '../../sipserver/message/sip-parse-error';
import { splitHeaderValues } from '../../sipserver/message/split-values';
import { parseNameAddr, tagOf, withTag } from '../../sipserver/message/name-addr';
import { parseVia } from '../../sipserver/message/via';
import { parseUri } from '../../sipserver/message/uri';

const crlf = (lines: string[]) => lines.join('\r\n');

t.test('parses a request with compact headers, folding and a UTF-8 body', async (t) => {
  const body = 'héllo ☎';
  const bytes = Buffer.byteLength(body);
  const msg = parseMessage(
    Buffer.from(
      crlf([
        'INVITE sip:bob@example.com SIP/2.0',
        'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1',
        'v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2, SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK3',
        'f: "A, B" <sip:a@x>;tag=abc',
        't: <sip:bob@example.com>',
        'i: call-1',
        'CSeq: 7 INVITE',
        'Subject: folded',
        '  continues here',
        'c: text/plain',
        `l: ${bytes}`,
        '',
        body,
      ]),
    ),
  );
  t.equal(msg.kind, 'request');
  if (msg.kind !== 'request') return;
  t.equal(msg.method, 'INVITE');
  t.equal(msg.uri, 'sip:bob@example.com');
  t.equal(msg.getAll('Via').length, 3, 'comma-joined Via values are separate entries');
  t.equal(msg.get('from'), '"A, B" <sip:a@x>;tag=abc', 'comma in display name does not split From');
  t.equal(msg.callId, 'call-1');
  t.same(msg.cseq, { seq: 7, method: 'INVITE' });
  t.equal(msg.get('subject'), 'folded continues here');
  t.equal(msg.body.toString('utf8'), body);
});

t.test('serialises Content-Length in bytes, replacing any given one', async (t) => {
  const msg = parseMessage(
    Buffer.from('SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 2\r\n\r\nok'),
  );
  msg.body = Buffer.from('€€', 'utf8');
  const text = serialize(msg).toString('utf8');
  t.match(text, /^SIP\/2\.0 200 OK\r\nCall-ID: x\r\nContent-Length: 6\r\n\r\n€€$/);
  t.equal((text.match(/Content-Length/g) ?? []).length, 1);
});

t.test('rejects malformed messages with a SipParseError', async (t) => {
  t.throws(() => parseMessage(Buffer.from('hello\r\n\r\n')), SipParseError);
  t.throws(
    () => parseMessage(Buffer.from('OPTIONS sip:x SIP/2.0\r\nBad Header\r\n\r\n')),
    SipParseError,
  );
  t.throws(
    () => parseMessage(Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: 10\r\n\r\nabc')),
    /exceeds/,
  );
  t.throws(
    () => parseMessage(Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: -1\r\n\r\n')),
    /Content-Length/,
  );
});

t.test('header value helpers', async (t) => {
  t.same(splitHeaderValues('<sip:a;lr>, "x,y" <sip:b>,sip:c'), [
    '<sip:a;lr>',
    '"x,y" <sip:b>',
    'sip:c',
  ]);
  t.equal(tagOf('<sip:a@b>;tag=xyz;foo'), 'xyz');
  t.equal(tagOf('sip:a@b;tag=q'), 'q', 'addr-spec parameters belong to the header');
  t.equal(tagOf('<sip:a@b;tag=inside>'), undefined, 'URI parameters are not header parameters');
  t.equal(withTag('sip:a@b', 't1'), '<sip:a@b>;tag=t1');
  t.equal(
    parseNameAddr('"Bob" <sip:bob@h:5070;transport=tcp>;expires=5').uri,
    'sip:bob@h:5070;transport=tcp',
  );
  t.match(parseVia('SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKabc'), {
    transport: 'UDP',
    host: '127.0.0.1',
    port: 5070,
    branch: 'z9hG4bKabc',
  });
  t.match(parseUri('sip:alice@[::1]:5080;transport=TCP'), {
    user: 'alice',
    host: '::1',
    port: 5080,
    params: { transport: 'TCP' },
  });
  t.equal(parseUri('mailto:x'), undefined);
});
