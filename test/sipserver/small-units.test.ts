import t from 'tap';
import { parseSipserverArgs, UsageError } from '../../sipserver/cli-args';
import { RouteTable } from '../../sipserver/drachtio/route-table';
import {
  copyAppHeaders,
  defaultContentType,
  replaceLocalhost,
} from '../../sipserver/core/header-rules';
import { WsRegistrations } from '../../sipserver/core/ws-registrations';
import { parseContactSpec } from '../../sipserver/transport/contact-spec';
import { SipRequest } from '../../sipserver/message/sip-message';
import type { Flow } from '../../sipserver/transport/transport-types';

t.test('CLI flags as drachtio-server takes them', async (t) => {
  const a = parseSipserverArgs([
    '--contact',
    'sip:127.0.0.1:5060;transport=udp,tcp',
    '--contact=sip:127.0.0.1:8088;transport=ws',
    '--port',
    '0',
    '--secret',
    'x',
    '--loglevel',
    'debug',
  ]);
  t.same(a, {
    contacts: ['sip:127.0.0.1:5060;transport=udp,tcp', 'sip:127.0.0.1:8088;transport=ws'],
    address: '127.0.0.1',
    port: 0,
    secret: 'x',
    loglevel: 'debug',
  });
  t.throws(() => parseSipserverArgs(['--secret', 'x', '--bogus']), UsageError);
  t.throws(() => parseSipserverArgs(['--port', '70000', '--secret', 'x']), /not a port/);
  t.throws(() => parseSipserverArgs(['--contact']), /needs a value/);
  t.throws(() => parseSipserverArgs([]), /--secret is required/);
});

t.test('contact specs', async (t) => {
  t.same(parseContactSpec('sip:127.0.0.1:0;transport=udp,tcp'), {
    host: '127.0.0.1',
    port: 0,
    protocols: ['udp', 'tcp'],
  });
  t.same(parseContactSpec('sip:[::1]:5070;transport=ws').host, '::1');
  t.throws(() => parseContactSpec('127.0.0.1:5060'), /invalid contact/);
  t.throws(() => parseContactSpec('sip:127.0.0.1:5060;transport=sctp'), /unknown transport 'sctp'/);
});

t.test('routes: round-robin per verb, remove drops all of a connection', async (t) => {
  const r = new RouteTable<string>();
  r.add('invite', 'a');
  r.add('INVITE', 'b');
  r.add('register', 'a');
  t.same([r.pick('INVITE'), r.pick('invite'), r.pick('invite')], ['a', 'b', 'a']);
  r.removeAll('a');
  t.equal(r.pick('register'), undefined);
  t.equal(r.pick('invite'), 'b');
});

t.test('header rules for app messages', async (t) => {
  const app = new SipRequest('INVITE', 'sip:x');
  for (const [n, v] of [
    ['Via', 'SIP/2.0/UDP evil;branch=z9hG4bKx'],
    ['Route', '<sip:r>'],
    ['Record-Route', '<sip:rr>'],
    ['RSeq', '1'],
    ['Content-Length', '99'],
    ['From', '<sip:me@localhost>;tag=1'],
    ['X-Keep', 'yes'],
    ['P-Asserted-Identity', '<sip:pai@localhost>'],
  ]) {
    app.append(n, v);
  }
  const out = new SipRequest('INVITE', 'sip:x');
  copyAppHeaders(app, out, ['to']);
  replaceLocalhost(out, { address: '10.1.2.3', port: 5070 });
  t.same(
    out.headers.map((h) => `${h.name}: ${h.value}`),
    [
      'From: <sip:me@10.1.2.3:5070>;tag=1',
      'X-Keep: yes',
      'P-Asserted-Identity: <sip:pai@10.1.2.3:5070>',
    ],
  );
  out.body = Buffer.from('v=0\r\n');
  defaultContentType(out);
  t.equal(out.get('content-type'), 'application/sdp');
});

t.test('WebSocket registrations: by contact and AOR, forgotten with the connection', async (t) => {
  const reg = new WsRegistrations();
  const flow = { closed: false } as Flow;
  const r = new SipRequest('REGISTER', 'sip:example.com');
  r.append('To', '<sip:agent7@example.com>');
  r.append('Contact', '<sip:k2j3@abc.invalid;transport=ws>;expires=600');
  reg.remember(r, flow);
  t.equal(reg.lookup('sip:agent7@example.com'), flow);
  t.equal(reg.lookup('sip:k2j3@abc.invalid;transport=ws'), flow);
  t.equal(reg.lookup('sip:other@example.com'), undefined);
  reg.forget(flow);
  t.equal(reg.lookup('sip:agent7@example.com'), undefined);
});
