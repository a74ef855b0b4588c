// REGISTER against a running gateway over real UDP: a captured Authorization replayed from
// another address (with its own Contact) must not take the agent's registration; the
// digest uri must be the Request-URI; Expires and Contact in every bad form get an answer
// that RFC 3261 §10.3 allows, and no timer that should not exist.
import schedule from 'node-schedule';
import t, { type Test } from 'tap';
import { startTestGateway, type TestGateway } from './fixtures/gateway-harness';
import { SipClient, token } from '../helpers/sip-client';
import { digestAuthorization } from '../helpers/sip-digest';
import type { Header } from '../helpers/sip-message';

const CREDS = { username: 'alice', password: 'pw-alice' };

interface RegisterOptions {
  /** Headers set on both REGISTERs (Contact replaces the client's own; null drops it). */
  contact?: string | string[] | null;
  expires?: string;
  /** Digest uri to sign instead of the Request-URI. */
  digestUri?: string;
}

/**
 * Challenge, then answer: returns the final response and the Authorization it sent.
 * `refused`: the SIP server in front of the gateway answered 400 itself, before any
 * challenge (a real drachtio-server's stack rejects e.g. `Expires: abc` or `-5`, and
 * `Contact: *` with a non-zero Expires); the gateway's own 400s carry an X-Reason.
 */
async function register(client: SipClient, registrar: string, o: RegisterOptions = {}) {
  const build = (extra: Header[]) => {
    const msg = client.buildRequest('REGISTER', registrar, {
      from: `<sip:alice@${registrar.slice(4)}>;tag=${token()}`,
      to: `<sip:alice@${registrar.slice(4)}>`,
      headers: [...(o.expires !== undefined ? [['Expires', o.expires] as Header] : []), ...extra],
    });
    if (o.contact !== undefined) {
      msg.remove('Contact');
      for (const c of o.contact === null ? [] : [o.contact].flat())
        msg.headers.push(['Contact', c]);
    }
    return msg;
  };
  const first = await client.send(build([])).final;
  if (first.status === 400 && !first.get('x-reason')) {
    return { res: first, refused: true, authorization: undefined, build };
  }
  if (first.status !== 401) throw new Error(`expected a challenge, got ${first.status}`);
  const authorization = digestAuthorization(
    first.get('www-authenticate')!,
    CREDS,
    'REGISTER',
    o.digestUri ?? registrar,
  );
  const res = await client.send(build([['Authorization', authorization]])).final;
  return { res, refused: false, authorization, build };
}

async function gatewayWithAlice(t: Test): Promise<{ hf: TestGateway; registrar: string }> {
  const hf = await startTestGateway(t, [{ id: 'alice', password: CREDS.password }]);
  return { hf, registrar: `sip:${hf.sip.udp.host}:${hf.sip.udp.port}` };
}

const open = (t: Test, hf: TestGateway) =>
  SipClient.open(t, { transport: 'udp', server: hf.sip.udp, user: 'alice' });

const contactOf = (hf: TestGateway) => hf.gw.agents.get('alice')!.contact?.uri;

/** The node-schedule jobs of this process, with how far away each one next fires. */
function scheduledJobs(): number[] {
  return Object.values(schedule.scheduledJobs).map((job) => {
    const next = job.nextInvocation() as unknown as Date | null;
    return next ? next.getTime() - Date.now() : NaN;
  });
}

t.test('a replayed Authorization from another address with a new Contact is refused', async (t) => {
  const { hf, registrar } = await gatewayWithAlice(t);
  const alice = await open(t, hf);
  const { res, authorization } = await register(alice, registrar);
  t.equal(res.status, 200, 'alice registers');
  const aliceContact = contactOf(hf);
  t.match(aliceContact, new RegExp(`:${alice.transport.viaPort}`));

  // Someone who saw that REGISTER sends it again from their own socket, with their Contact.
  const thief = await SipClient.open(t, { transport: 'udp', server: hf.sip.udp, user: 'alice' });
  t.not(thief.transport.viaPort, alice.transport.viaPort, 'another source address');
  const replay = thief.buildRequest('REGISTER', registrar, {
    from: `<sip:alice@${registrar.slice(4)}>;tag=${token()}`,
    to: `<sip:alice@${registrar.slice(4)}>`,
    headers: [
      ['Authorization', authorization ?? ''],
      ['Expires', '3600'],
    ],
  });
  const answer = await thief.send(replay).final;
  t.equal(answer.status, 401, 'the replay is challenged, not accepted');
  t.match(answer.get('www-authenticate'), /stale=true/, 'stale: only a fresh nonce would do');
  t.equal(contactOf(hf), aliceContact, 'calls still go to alice, not to the replayer');

  // Alice herself, with a fresh challenge, is fine.
  t.equal((await register(alice, registrar)).res.status, 200);
  t.equal(contactOf(hf), aliceContact);
  await hf.settled();
});

t.test('a digest signed for another URI than the Request-URI gets 400', async (t) => {
  const { hf, registrar } = await gatewayWithAlice(t);
  const alice = await open(t, hf);
  const { res } = await register(alice, registrar, { digestUri: 'sip:other.example.com' });
  t.equal(res.status, 400);
  t.match(res.get('x-reason'), /is not the Request-URI/);
  t.equal(contactOf(hf), undefined, 'not registered');
  await hf.settled();
});

t.test('Expires: abc → the default (3600 s), one expiry job, none left after', async (t) => {
  const { hf, registrar } = await gatewayWithAlice(t);
  const alice = await open(t, hf);
  t.same(scheduledJobs(), [], 'no job before');
  const { res, refused } = await register(alice, registrar, { expires: 'abc' });
  if (refused) {
    // Either answer is one §10.3 allows; refused, nothing may be left behind.
    t.equal(res.status, 400, 'refused by the SIP server in front of the gateway');
    t.equal(contactOf(hf), undefined, 'not registered');
    t.same(scheduledJobs(), [], 'no job');
    await hf.settled();
    return;
  }
  t.equal(res.status, 200);
  t.match(res.get('contact'), /;expires=3600$/);
  t.equal(res.get('expires'), '3600');
  const jobs = scheduledJobs();
  t.equal(jobs.length, 1, 'one registration expiry');
  t.ok(jobs[0] > 3_590_000 && jobs[0] <= 3_600_000, `due in an hour (${jobs[0]} ms)`);
  t.equal((await register(alice, registrar, { expires: '0' })).res.status, 200, 'unregister');
  t.equal(contactOf(hf), undefined);
  t.same(scheduledJobs(), [], 'no job after');
  t.equal(hf.gw.stats().registrations, 0);
  await hf.settled();
});

t.test('other Expires and expires= forms', async (t) => {
  const { hf, registrar } = await gatewayWithAlice(t);
  const alice = await open(t, hf);
  const own = alice.contact;
  const granted = async (o: RegisterOptions) => {
    const { res, refused } = await register(alice, registrar, o);
    t.equal(res.status, refused ? 400 : 200, JSON.stringify(o));
    return refused ? 'refused' : /;expires=(\d+)$/.exec(res.get('contact') ?? '')?.[1];
  };
  /** A malformed value: the default, or refused by the SIP server before the gateway. */
  const defaultOrRefused = async (o: RegisterOptions, what: string) =>
    t.match(await granted(o), /^(3600|refused)$/, what);
  await defaultOrRefused({ expires: '-5' }, 'negative → malformed → 3600');
  t.equal(await granted({ expires: '99999999999999999999' }), '7200', 'huge → capped');
  t.equal(await granted({ expires: '60' }), '60');
  await defaultOrRefused({ expires: '' }, 'empty → malformed → 3600');
  t.equal(await granted({ expires: '60', contact: `${own};expires=120` }), '120', 'param wins');
  await defaultOrRefused({ expires: '60', contact: `${own};expires=` }, 'empty param');
  await defaultOrRefused({ expires: '60', contact: `${own};expires=1e3` }, 'expires=1e3');
  await defaultOrRefused({ contact: `${own};expires=abc` }, 'expires=abc');
  t.equal(await granted({ contact: `"Alice, Desk" ${own};expires=90` }), '90', 'display name');
  const jobs = scheduledJobs();
  t.equal(jobs.length, 1, 'one expiry job, whatever came before');
  t.ok(jobs[0] > 80_000 && jobs[0] <= 90_000);
  t.equal((await register(alice, registrar, { expires: '0' })).res.status, 200);
  t.same(scheduledJobs(), []);
  await hf.settled();
});

t.test('several Contacts, Contact *, no Contact', async (t) => {
  const { hf, registrar } = await gatewayWithAlice(t);
  const alice = await open(t, hf);
  const own = alice.contact;
  t.equal((await register(alice, registrar, { expires: '300' })).res.status, 200);
  const registered = contactOf(hf);

  const two = await register(alice, registrar, {
    contact: [own, '<sip:alice@127.0.0.1:5999>'],
  });
  t.equal(two.res.status, 400, 'two Contact rows');
  if (!two.refused) t.match(two.res.get('x-reason'), /one Contact per REGISTER/);
  const comma = await register(alice, registrar, {
    contact: `${own}, <sip:alice@127.0.0.1:5999>`,
  });
  t.equal(comma.res.status, 400, 'two contacts in one row');
  t.equal(contactOf(hf), registered, 'unchanged');

  t.equal((await register(alice, registrar, { contact: '*', expires: '60' })).res.status, 400);
  t.equal((await register(alice, registrar, { contact: '*' })).res.status, 400, '* needs 0');
  t.equal(
    (await register(alice, registrar, { contact: ['*', own], expires: '0' })).res.status,
    400,
    '* with another contact',
  );
  t.equal(contactOf(hf), registered, 'unchanged');

  const query = await register(alice, registrar, { contact: null });
  t.equal(query.res.status, 200, 'no Contact: a query');
  t.match(query.res.get('contact'), /;expires=\d+$/);
  t.equal(contactOf(hf), registered);

  const other = await register(alice, registrar, {
    contact: '<sip:alice@127.0.0.1:5999>',
    expires: '0',
  });
  t.equal(other.res.status, 200, 'removing a binding alice does not have');
  t.equal(contactOf(hf), registered, 'her binding stays');

  t.equal((await register(alice, registrar, { contact: '*', expires: '0' })).res.status, 200);
  t.equal(contactOf(hf), undefined, '* with Expires: 0 removes it');
  t.same(scheduledJobs(), []);
  await hf.settled();
});
