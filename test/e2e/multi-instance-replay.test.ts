// Two instances behind one SIP server, which alternates new REGISTERs between them: a
// captured Authorization replayed (from another address, with the replayer's Contact) must
// not be accepted by either instance, not once each. The challenge and the answer already
// went to different instances, so the replays reach the one that issued the nonce (and has
// never seen its count used) as well as the one that took it: the count is shared in Redis.
import t from 'tap';
import { startCluster } from '../state/cluster';
import { SipClient, token } from '../helpers/sip-client';
import { digestAuthorization } from '../helpers/sip-digest';

t.test('a replayed REGISTER is refused by every instance', async (t) => {
  const c = await startCluster(t, { instances: 2, agents: [{ id: 'alice', password: 'pw' }] });
  const registrar = `sip:${c.sip.host}:${c.sip.port}`;
  const build = (client: SipClient, authorization?: string) =>
    client.buildRequest('REGISTER', registrar, {
      from: `<sip:alice@${registrar.slice(4)}>;tag=${token()}`,
      to: `<sip:alice@${registrar.slice(4)}>`,
      headers: [
        ['Expires', '300'],
        ...(authorization ? [['Authorization', authorization] as [string, string]] : []),
      ],
    });
  const alice = await SipClient.open(t, { transport: 'udp', server: c.sip, user: 'alice' });
  const challenge = await alice.send(build(alice)).final;
  t.equal(challenge.status, 401);
  const authorization = digestAuthorization(
    challenge.get('www-authenticate')!,
    { username: 'alice', password: 'pw' },
    'REGISTER',
    registrar,
  );
  t.equal((await alice.send(build(alice, authorization)).final).status, 200, 'alice registers');
  const taken = (await c.observer.registration('alice'))!;
  t.ok(taken, `taken by ${taken.instanceId}`);

  // Two replays in a row: the SIP server gives one to each instance.
  const thief = await SipClient.open(t, { transport: 'udp', server: c.sip, user: 'alice' });
  for (let i = 0; i < 2; i++) {
    const answer = await thief.send(build(thief, authorization)).final;
    t.equal(answer.status, 401, `replay ${i + 1} is challenged, not accepted`);
    t.match(answer.get('www-authenticate'), /stale=true/);
  }
  t.same(
    (await c.observer.registration('alice'))?.contact.uri,
    taken.contact.uri,
    'calls still go to alice',
  );
  for (const g of c.gateways)
    t.equal(g.agents.get('alice')!.contact?.uri, taken.contact.uri, 'on every instance');
});
