// transportChanged (pure): what makes a re-paired party need a re-INVITE, and what not.
import t from 'tap';
import { mediaTransport, transportChanged } from '../../media/sdp-transport';

const sdp = (o: {
  port?: number;
  addr?: string;
  ufrag?: string;
  fp?: string;
  fmts?: string;
  setup?: string;
}) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    `c=IN IP4 ${o.addr ?? '127.0.0.1'}`,
    't=0 0',
    `m=audio ${o.port ?? 4000} UDP/TLS/RTP/SAVPF ${o.fmts ?? '0 8'}`,
    `a=ice-ufrag:${o.ufrag ?? 'abcd'}`,
    'a=ice-pwd:0123456789012345678901',
    `a=fingerprint:sha-256 ${o.fp ?? 'AB:CD'}`,
    `a=setup:${o.setup ?? 'actpass'}`,
    '',
  ].join('\r\n');

t.test('codecs and DTLS role do not count; address, port, ICE and fingerprint do', async (t) => {
  t.notOk(transportChanged(sdp({}), sdp({ fmts: '0', setup: 'passive' })));
  t.notOk(transportChanged(sdp({}), sdp({ fp: 'ab:cd' })), 'fingerprint case is not a change');
  t.ok(transportChanged(sdp({}), sdp({ port: 4002 })));
  t.ok(transportChanged(sdp({}), sdp({ addr: '127.0.0.2' })));
  t.ok(transportChanged(sdp({}), sdp({ ufrag: 'efgh' })));
  t.ok(transportChanged(sdp({}), sdp({ fp: 'AB:CE' })));
  t.ok(transportChanged(sdp({}), 'garbage'), 'unreadable counts as changed');
  t.equal(mediaTransport('v=0\r\nm=video 4 RTP/AVP 96\r\n'), undefined);
  t.same(mediaTransport(sdp({})), {
    address: '127.0.0.1',
    port: 4000,
    proto: 'UDP/TLS/RTP/SAVPF',
    iceUfrag: 'abcd',
    icePwd: '0123456789012345678901',
    fingerprint: 'SHA-256 AB:CD',
  });
});
