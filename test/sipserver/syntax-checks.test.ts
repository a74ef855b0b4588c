// The grammar checks on their own: what must pass (common real-world shapes) and what
// must not, beyond the RFC 4475 messages the torture test sends.
import t from 'tap';
import { parseMessage } from '../../sipserver/message/parse';
import { SipParseError } from '../../sipserver/message/sip-parse-error';
import { syntaxProblem } from '../../sipserver/message/syntax-checks';
import { FramingError, StreamFramer } from '../../sipserver/transport/stream-framer';

const request = (...extra: string[]) =>
  [
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;rport;received=[2001:db8::2]',
    'From: "Smith, Alice" <sip:alice@example.com>;tag=a1',
    'To: Bob <sip:bob@example.com>',
    'Call-ID: c1@example.com',
    'CSeq: 4294967295 INVITE',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
const problem = (...extra: string[]) => syntaxProblem(parseMessage(Buffer.from(request(...extra))));

t.test('common well-formed shapes pass', async (t) => {
  t.equal(problem(), undefined, 'IPv6 Via, quoted comma in a display name, CSeq 2^32-1');
  t.equal(problem('Contact: *'), undefined, 'Contact: * (REGISTER removes all)');
  t.equal(problem('Contact: <sip:a@x>;expires=60, "B, C" <sip:b@y>'), undefined, 'a list');
  t.equal(problem('Route: <sip:p1;lr>,<sip:p2;lr>'), undefined, 'a route set');
  t.equal(problem('Contact: <sip:a@x>;+sip.instance="<urn:uuid:1>"'), undefined, 'quoted <>');
});

t.test('broken shapes are named', async (t) => {
  t.match(problem('CSeq: 2 INVITE'), /more than one cseq/);
  t.match(problem('Contact: <sip:a@x>,,<sip:b@y>'), /empty contact/);
  t.match(problem('Contact: <sip:a@x>;=1'), /empty parameter/);
  t.match(problem('Contact: <sip:a@x'), /missing '>'/);
  t.match(problem('Record-Route: "unterminated <sip:p>'), /unterminated/);
});

t.test('start lines: version, spaces, status codes', async (t) => {
  const p = (line: string) => () => parseMessage(Buffer.from(`${line}\r\n\r\n`));
  t.throws(p('OPTIONS sip:x SIP/3.0'), new SipParseError('', 505), 'another version is 505');
  t.throws(p('OPTIONS sip:x  SIP/2.0'), /malformed start line/, 'two spaces');
  t.throws(p('SIP/2.0 2000 OK'), /malformed start line/, 'four-digit status');
  t.equal(parseMessage(Buffer.from('SIP/2.0 180\r\n\r\n')).kind, 'response', 'no reason');
});

t.test('stream framing errors keep the header section for an answer', async (t) => {
  const head = 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1';
  for (const cl of ['', 'Content-Length: -1\r\n', 'Content-Length: 1\r\nl: 2\r\n']) {
    const err = t.throws(() => new StreamFramer(4096).push(Buffer.from(`${head}\r\n${cl}\r\n`)));
    t.ok(err instanceof FramingError, `framing error for '${cl.trim() || 'no Content-Length'}'`);
    t.match((err as FramingError).head.toString(), /^OPTIONS sip:x/);
  }
});
