import t from 'tap';
import { DigestAuth, digestResponse, parseDigest } from '../../gateway/sip/digest-auth';
import { AddressAllowList } from '../../gateway/sip-types/address-allow-list';

const pw = (u: string) => (u === 'alice' ? 's3cret' : undefined);

function answer(auth: DigestAuth, challenge: string, password = 's3cret', username = 'alice') {
  const p = parseDigest(challenge)!;
  return digestResponse({
    username,
    password,
    realm: p.realm!,
    nonce: p.nonce!,
    method: 'REGISTER',
    uri: 'sip:127.0.0.1',
  });
}

t.test(
  'digest: right password passes, wrong fails, forged and stale nonces are told apart',
  async (t) => {
    let now = 1_000_000;
    const auth = new DigestAuth('holdfast', () => now, 60_000);
    const ch = auth.challenge();
    t.match(ch, /^Digest realm="holdfast", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    t.same(auth.verify(answer(auth, ch), 'REGISTER', pw), { ok: true, username: 'alice' });
    t.match(auth.verify(answer(auth, ch, 'nope'), 'REGISTER', pw), {
      ok: false,
      stale: false,
      why: 'wrong password',
    });
    t.match(
      auth.verify(answer(auth, ch), 'INVITE', pw),
      { ok: false, why: 'wrong password' },
      'method is bound',
    );
    t.match(auth.verify(answer(auth, ch, 'x', 'bob'), 'REGISTER', pw), {
      ok: false,
      why: 'unknown user bob',
    });
    t.match(auth.verify(undefined, 'REGISTER', pw), { ok: false, why: 'no Digest credentials' });
    const forged = answer(auth, ch).replace(/nonce="[^"]+"/, `nonce="${now.toString(36)}.AAAA"`);
    t.match(auth.verify(forged, 'REGISTER', pw), { ok: false, stale: false, why: 'forged nonce' });
    const other = new DigestAuth('holdfast', () => now);
    t.match(
      other.verify(answer(auth, ch), 'REGISTER', pw),
      { ok: false, why: 'forged nonce' },
      'another secret',
    );
    now += 60_001;
    t.match(auth.verify(answer(auth, ch), 'REGISTER', pw), { ok: false, stale: true });
    t.match(auth.challenge(true), /stale=true/);
  },
);

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
