// REGISTER Contact and Expires parsing (RFC 3261 §10.2.1.1, §10.3, §20.10, §20.19).
import t from 'tap';
import { deltaSeconds, grantedExpiry, parseContacts } from '../../gateway/sip/register-request';

t.test('Contact forms', async (t) => {
  t.same(parseContacts(undefined), { kind: 'none' });
  t.same(parseContacts('  '), { kind: 'none' });
  t.same(parseContacts('*'), { kind: 'wildcard', others: 0 });
  t.same(parseContacts('*, <sip:a@h>'), { kind: 'wildcard', others: 1 });
  t.same(parseContacts('<sip:a@h;transport=ws>;expires=60;q=0.5'), {
    kind: 'bindings',
    bindings: [{ uri: 'sip:a@h;transport=ws', expiresParam: '60' }],
  });
  t.same(parseContacts('sip:a@h;expires=60'), {
    kind: 'bindings',
    bindings: [{ uri: 'sip:a@h', expiresParam: '60' }],
  });
  t.same(parseContacts('"Desk, 2" <sip:a@h>;Expires='), {
    kind: 'bindings',
    bindings: [{ uri: 'sip:a@h', expiresParam: '' }],
  });
  t.equal((parseContacts('<sip:a@h>, <sip:b@h>') as { bindings: unknown[] }).bindings.length, 2);
});

t.test('expiry: param, else header, else default; malformed → 3600; capped', async (t) => {
  t.equal(deltaSeconds(undefined), undefined);
  t.equal(deltaSeconds(' 60 '), 60);
  for (const bad of ['abc', '-5', '', '1e3', '6 0', '"60"'])
    t.equal(deltaSeconds(bad), 'malformed', bad);
  t.equal(deltaSeconds('99999999999999'), 2 ** 32 - 1);
  const b = (expiresParam?: string) => ({ uri: 'sip:a@h', expiresParam });
  t.equal(grantedExpiry(b(), undefined), 3600);
  t.equal(grantedExpiry(b(), '60'), 60);
  t.equal(grantedExpiry(b('120'), '60'), 120);
  t.equal(grantedExpiry(b('abc'), '60'), 3600);
  t.equal(grantedExpiry(b(), 'abc'), 3600);
  t.equal(grantedExpiry(b('0'), '60'), 0);
  t.equal(grantedExpiry(b(), '86400'), 7200);
});
