// Regressions the fuzzer (test/fuzz) found: requests the server accepted but handed to the
// app in a form drachtio-srf cannot parse, so the app never answered them.
import t from 'tap';
import { connect } from 'node:net';
import { connectApp, type SrfRequest, type SrfResponse } from '../helpers/sip-app';
import { sipServerForTest } from '../helpers/sip-server';

const options = (eol: string, extra: string[] = [], body = '') =>
  [
    'OPTIONS sip:app@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK' + Math.random().toString(16).slice(2),
    'Max-Forwards: 70',
    'From: <sip:fuzz@127.0.0.1>;tag=f1',
    'To: <sip:app@127.0.0.1>',
    `Call-ID: ${Math.random().toString(16).slice(2)}@fuzz.invalid`,
    'CSeq: 1 OPTIONS',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join(eol);

async function firstStatusLine(port: number, bytes: string): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('(no response)'), 3000);
    sock.once('data', (d) => {
      clearTimeout(timer);
      resolve(d.toString().split('\r\n')[0]);
    });
    sock.write(bytes);
  }).finally(() => sock.destroy());
}

t.test('fuzz findings over TCP', async (t) => {
  const server = await sipServerForTest(t, ['udp,tcp']);
  const srf = await connectApp(t, server);
  // srf.options() exists at runtime (one method per verb) but not in the typings.
  const verbs = srf as unknown as {
    options(h: (req: SrfRequest, res: SrfResponse) => void): void;
  };
  verbs.options((_req, res) => res.send(200));
  const port = server.sip.tcp!.port;
  // The Via names the source, so the message used to go to the app as it came, bare LFs
  // and all; drachtio-srf could not parse it and the OPTIONS stayed unanswered.
  const lf = options('\n', ['Content-Type: text/plain'], 'Signal=5\r\nDuration=160\r\n');
  t.equal(await firstStatusLine(port, lf), 'SIP/2.0 200 OK', 'bare-LF request answered');
  // String.trim removed a byte-order mark from the header name; drachtio-srf could not.
  const bom = await firstStatusLine(port, options('\r\n', ['\ufeffUser-Agent: x']));
  t.match(bom, /^SIP\/2\.0 400 /, 'a header name starting with U+FEFF is a 400');
  // Call-ID and From tag make the drachtio dialog id, a field of a '|'-separated line that
  // ends at the first CR: drachtio-srf could not read the app's own echoed answer.
  for (const [what, header] of [
    ['a bare CR in the Call-ID', 'Call-ID: 4\re8487905b@fuzz.invalid'],
    ["a '|' in the Call-ID", 'Call-ID: a|b@fuzz.invalid'],
    ["a '|' in the From tag", 'From: <sip:fuzz@127.0.0.1>;tag=f|1'],
  ]) {
    const bytes = options('\r\n')
      .replace(/\r\nCall-ID: [^\r]*/, header.startsWith('Call-ID') ? `\r\n${header}` : '$&')
      .replace(/\r\nFrom: [^\r]*/, header.startsWith('From') ? `\r\n${header}` : '$&');
    t.match(await firstStatusLine(port, bytes), /^SIP\/2\.0 400 /, `${what} is a 400`);
  }
});
