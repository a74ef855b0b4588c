import t from 'tap';
import { parseDigest } from '../../gateway/sip/digest-auth';
import { AddressAllowList } from '../../gateway/sip-types/address-allow-list';

t.test('digest parser handles quoted commas and bare tokens', async (t) => {
  t.same(parseDigest('Digest username="a,b", nc=00000001, qop=auth'), {
    username: 'a,b',
    nc: '00000001',
    qop: 'auth',
  });
  t.equal(parseDigest('Basic abc'), undefined);
});

t.test('allow list: addresses and CIDRs, v4 and v6', async (t) => {
  const l = new AddressAllowList(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32', '127.0.0.0/8']);
  t.ok(l.allows('10.1.200.3'));
  t.notOk(l.allows('10.2.0.1'));
  t.ok(l.allows('192.0.2.7'));
  t.notOk(l.allows('192.0.2.8'));
  t.ok(l.allows('2001:db8:1::5'));
  t.notOk(l.allows('2001:db9::1'));
  t.ok(l.allows('::ffff:127.0.0.2'));
  t.notOk(l.allows('not-an-ip'));
  t.throws(() => new AddressAllowList(['1.2.3.4/40']), /not an IP address or CIDR/);
});
