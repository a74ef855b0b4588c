// Gateways sharing one contact centre share the digest secret: the SIP server may give a
// challenge to one instance and the REGISTER answering it to another.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { DigestAuth, digestResponse } from '../../gateway/sip/digest-auth';

const uri = 'sip:127.0.0.1:5060';
const secret = randomBytes(32);
const passwordOf = (u: string) => (u === 'alice' ? 'pw' : undefined);

function answer(challenge: string): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1];
  return digestResponse({
    username: 'alice',
    password: 'pw',
    realm: 'holdfast',
    nonce,
    method: 'REGISTER',
    uri,

    cnonce: 'c0ffee',
  });
}

t.test('an instance takes a nonce another issued, once per count', async (t) => {
  const a = new DigestAuth('holdfast', { secret, peerNonces: true });
  const b = new DigestAuth('holdfast', { secret, peerNonces: true });
  const auth = answer(a.challenge());
  const req = { authorization: auth, method: 'REGISTER', requestUri: uri, passwordOf };
  t.match(b.verify(req), { ok: true, username: 'alice' });
  t.match(b.verify(req), { ok: false, why: /replayed/ }, 'a replay to the same instance fails');
});

t.test('without peerNonces (one gateway) such a nonce is stale, as before', async (t) => {
  const a = new DigestAuth('holdfast', { secret });
  const b = new DigestAuth('holdfast', { secret });
  const req = {
    authorization: answer(a.challenge()),
    method: 'REGISTER',
    requestUri: uri,
    passwordOf,
  };
  t.match(b.verify(req), { ok: false, stale: true });
});

t.test('another secret is a forged nonce, peerNonces or not', async (t) => {
  const a = new DigestAuth('holdfast', { secret: randomBytes(32), peerNonces: true });
  const b = new DigestAuth('holdfast', { secret, peerNonces: true });
  const req = {
    authorization: answer(a.challenge()),
    method: 'REGISTER',
    requestUri: uri,
    passwordOf,
  };
  t.match(b.verify(req), { ok: false, why: 'forged nonce' });
});
