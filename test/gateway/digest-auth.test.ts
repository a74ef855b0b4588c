// Digest verification: passwords, forged and stale nonces, nonce counts (a replayed
// Authorization is refused), the digest uri bound to the Request-URI, a bounded nonce table.
import { createHash } from 'node:crypto';
import t from 'tap';
import { DigestAuth, digestResponse, parseDigest } from '../../gateway/sip/digest-auth';

const URI = 'sip:127.0.0.1:5060';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const passwordOf = (u: string) => (u === 'alice' ? 's3cret' : undefined);

function answer(
  challenge: string,
  o: { password?: string; username?: string; uri?: string; nc?: string; cnonce?: string } = {},
) {
  const p = parseDigest(challenge)!;
  return digestResponse({
    username: o.username ?? 'alice',
    password: o.password ?? 's3cret',
    realm: p.realm!,
    nonce: p.nonce!,
    method: 'REGISTER',
    uri: o.uri ?? URI,
    nc: o.nc,
    cnonce: o.cnonce,
  });
}

function verify(auth: DigestAuth, authorization: string | undefined, more = {}) {
  return auth.verify({
    authorization,
    method: 'REGISTER',
    requestUri: URI,
    passwordOf,
    ...more,
  });
}

t.test('right password passes, wrong fails, method and user are checked', async (t) => {
  const auth = new DigestAuth('holdfast');
  const ch = auth.challenge();
  t.match(ch, /^Digest realm="holdfast", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
  t.match(verify(auth, answer(ch, { password: 'nope' })), {
    ok: false,
    status: 401,
    stale: false,
    why: 'wrong password',
  });
  t.match(verify(auth, answer(ch), { method: 'INVITE' }), { ok: false, why: 'wrong password' });
  t.match(verify(auth, answer(ch, { username: 'bob' })), { ok: false, why: 'unknown user bob' });
  t.match(verify(auth, undefined), { ok: false, status: 401, why: 'no Digest credentials' });
  t.same(verify(auth, answer(ch)), { ok: true, username: 'alice' });
});

t.test('two challenges never share a nonce', async (t) => {
  const auth = new DigestAuth('holdfast', { now: () => 5 });
  const a = parseDigest(auth.challenge())!.nonce;
  const b = parseDigest(auth.challenge())!.nonce;
  t.not(a, b, 'same millisecond, different nonces');
});

t.test('the same Authorization twice: the second is a replay', async (t) => {
  const auth = new DigestAuth('holdfast');
  const header = answer(auth.challenge());
  t.same(verify(auth, header), { ok: true, username: 'alice' });
  t.match(verify(auth, header), {
    ok: false,
    status: 401,
    stale: true,
    why: 'replayed nonce count 00000001',
  });
});

t.test('nonce counts must increase: reuse of a nonce with a higher nc is fine', async (t) => {
  const auth = new DigestAuth('holdfast');
  const ch = auth.challenge();
  t.match(verify(auth, answer(ch, { nc: '00000001' })), { ok: true });
  t.match(verify(auth, answer(ch, { nc: '00000003' })), { ok: true }, 'gaps are allowed');
  t.match(verify(auth, answer(ch, { nc: '00000002' })), { ok: false, why: /replayed/ });
  t.match(verify(auth, answer(ch, { nc: '00000003' })), { ok: false, why: /replayed/ });
  t.match(verify(auth, answer(ch, { nc: '0000000a' })), { ok: true }, 'nc is hexadecimal');
  t.match(verify(auth, answer(ch, { nc: '1' })), { ok: false, why: 'bad qop parameters' });
});

t.test('without qop (RFC 2069) a nonce is good for one request', async (t) => {
  const auth = new DigestAuth('holdfast');
  const ch = auth.challenge();
  const nonce = parseDigest(ch)!.nonce!;
  const response = md5(`${md5('alice:holdfast:s3cret')}:${nonce}:${md5(`REGISTER:${URI}`)}`);
  const bare = `Digest username="alice", realm="holdfast", nonce="${nonce}", uri="${URI}", response="${response}"`;
  t.match(verify(auth, bare), { ok: true });
  t.match(verify(auth, bare), { ok: false, stale: true, why: /replayed/ });
});

t.test('the digest uri must be the Request-URI (400 otherwise)', async (t) => {
  const auth = new DigestAuth('holdfast');
  const ch = auth.challenge();
  t.match(verify(auth, answer(ch, { uri: 'sip:elsewhere.example' })), {
    ok: false,
    status: 400,
    why: 'digest uri sip:elsewhere.example is not the Request-URI sip:127.0.0.1:5060',
  });
  t.match(
    verify(auth, answer(ch, { uri: 'SIP:127.0.0.1:5060' }), { requestUri: 'sip:127.0.0.1:5060' }),
    { ok: true },
    'scheme and host compare case-blind',
  );
  const ch2 = auth.challenge();
  t.match(
    verify(auth, answer(ch2, { uri: 'sip:Alice@h' }), { requestUri: 'sip:alice@h' }),
    { ok: false, status: 400 },
    'the user part compares exactly',
  );
});

t.test('forged and stale nonces are told apart; stale only with good credentials', async (t) => {
  let now = 1_000_000;
  const auth = new DigestAuth('holdfast', { now: () => now, nonceTtlMs: 60_000 });
  const ch = auth.challenge();
  const forged = answer(ch).replace(/nonce="[^"]+"/, `nonce="${now.toString(36)}.AAAA.BBBB"`);
  t.match(verify(auth, forged), { ok: false, stale: false, why: 'forged nonce' });
  const other = new DigestAuth('holdfast', { now: () => now });
  t.match(verify(other, answer(ch)), { ok: false, why: 'forged nonce' }, 'another secret');
  now += 60_001;
  t.match(verify(auth, answer(ch)), {
    ok: false,
    status: 401,
    stale: true,
    why: 'stale nonce',
  });
  const ch2 = auth.challenge();
  now += 60_001;
  t.match(
    verify(auth, answer(ch2, { password: 'wrong' })),
    { ok: false, stale: false, why: 'wrong password' },
    'a stale nonce with a wrong password is not stale=true',
  );
  t.match(auth.challenge(true), /, stale=true$/);
});

t.test('the nonce table is bounded: the oldest nonces go first, and are then stale', async (t) => {
  let now = 0;
  const auth = new DigestAuth('holdfast', { now: () => now, maxNonces: 3, nonceTtlMs: 60_000 });
  const first = auth.challenge();
  for (let i = 0; i < 10; i++) auth.challenge();
  t.equal(auth.nonceCount, 3, 'never more than maxNonces');
  t.match(verify(auth, answer(first)), { ok: false, stale: true, why: 'stale nonce' });
  const fresh = auth.challenge();
  t.match(verify(auth, answer(fresh)), { ok: true });
  now += 60_001;
  auth.challenge();
  t.equal(auth.nonceCount, 1, 'expired nonces are swept when a new one is issued');
});
