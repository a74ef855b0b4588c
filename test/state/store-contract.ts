// The state store's contract, run against both implementations (in-process-store.test.ts,
// redis-store.test.ts): three stores over one space are three gateways sharing one Redis.
import type { Test } from 'tap';
import type { StateStore } from '../../gateway/state/state-store';

export interface Trio {
  a: StateStore;
  b: StateStore;
  c: StateStore;
  close(): Promise<void>;
}

const contact = (id: string) => ({
  uri: `sip:${id}@127.0.0.1:5099`,
  profile: 'rtp' as const,
  transport: 'udp',
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Agents available and registered, idle since `now + i`. */
async function readyAgents(s: StateStore, ids: string[], now = 1000): Promise<void> {
  for (const [i, id] of ids.entries()) {
    await s.initAgent({ id, status: 'offline', now });
    await s.register({ agentId: id, contact: contact(id), sipServer: '127.0.0.1:5060' });
    await s.moveAgent(id, 'offline', 'available', now + i);
  }
}

const call = (callId: string, enqueuedAt: number, priority = 0, skip: string[] = []) => ({
  callId,
  priority,
  enqueuedAt,
  skip,
});

export function storeContract(t: Test, open: () => Promise<Trio>): void {
  const each = (name: string, fn: (t: Test, s: Trio) => Promise<void>) =>
    t.test(name, async (t) => {
      const s = await open();
      t.teardown(() => s.close());
      await fn(t, s);
    });

  each('an agent is created once; moves are compare-and-set', async (t, { a, b }) => {
    const first = await a.initAgent({ id: 'x', status: 'offline', now: 5 });
    t.match(first, { id: 'x', status: 'offline', since: 5, idleSince: 5, holder: '' });
    const again = await b.initAgent({ id: 'x', status: 'available', now: 9 });
    t.equal(again.status, 'offline', 'the second instance takes the shared record');
    const moved = await a.moveAgent('x', 'offline', 'available', 20);
    t.ok(moved.ok);
    t.match(moved.agent, { status: 'available', since: 20, idleSince: 20, holder: '' });
    t.ok(moved.agent!.ver > first.ver, 'the version grows');
    const stale = await b.moveAgent('x', 'offline', 'available', 21);
    t.notOk(stale.ok, 'a move from a status the agent left is refused');
    t.equal(stale.agent?.status, 'available', 'and tells the current one');
    const ring = await b.moveAgent('x', 'available', 'ringing', 30);
    t.match(ring.agent, { holder: b.instanceId, idleSince: 20 });
    t.notOk((await a.moveAgent('nobody', 'offline', 'available', 1)).ok);
    t.same(
      (await a.agents()).map((r) => r.id),
      ['x'],
    );
  });

  each('registrations say which instance and SIP server hold the flow', async (t, { a, b }) => {
    await a.register({ agentId: 'x', contact: contact('x'), sipServer: '127.0.0.1:5060' });
    t.same(await b.registration('x'), {
      agentId: 'x',
      contact: contact('x'),
      instanceId: a.instanceId,
      sipServer: '127.0.0.1:5060',
    });
    t.notOk(await b.unregister('x', 'sip:other@h'), 'a stale binding does not remove a newer one');
    t.ok(await b.unregister('x', contact('x').uri));
    t.equal(await a.registration('x'), undefined);
    t.notOk(await a.unregister('x'));
  });

  each('the queue: priority first, then the longer wait', async (t, { a, b }) => {
    await a.enqueue(call('late', 300));
    await b.enqueue(call('early', 100));
    await a.enqueue(call('vip', 500, 2));
    await b.enqueue(call('tie-b', 200));
    await a.enqueue(call('tie-a', 200));
    t.same(
      (await b.queue()).map((q) => q.callId),
      ['vip', 'early', 'tie-a', 'tie-b', 'late'],
    );
    t.match((await a.queue())[1], { owner: b.instanceId, skip: [] });
    t.ok(await a.dequeue('early'));
    t.notOk(await a.dequeue('early'));
    t.equal((await a.queue()).length, 4);
  });

  each('a claim takes the longest-idle registered agent, minus skips', async (t, { a }) => {
    await readyAgents(a, ['p', 'q', 'r']);
    await a.initAgent({ id: 'unregistered', status: 'offline', now: 0 });
    await a.moveAgent('unregistered', 'offline', 'available', 0);
    await a.enqueue(call('c1', 10, 0, ['p']));
    await a.enqueue(call('c2', 20));
    await a.heartbeat(5000);
    const claims = await a.claim(50);
    t.match(claims, [
      { callId: 'c1', agentId: 'q' },
      { callId: 'c2', agentId: 'p' },
    ]);
    t.equal(claims.length, 2);
    t.equal(claims[0].ver, (await a.agent('q'))?.ver, 'the claim tells the version it made');
    t.same(await a.queue(), []);
    t.match(await a.agent('q'), { status: 'ringing', since: 50, holder: a.instanceId });
    t.equal((await a.agent('unregistered'))?.status, 'available', 'no contact, no call');
    t.same(await a.claim(60), [], 'nothing left to pair');
  });

  each("a live instance's call keeps its agent; a dead one's does not", async (t, { a, b }) => {
    await readyAgents(a, ['p']);
    await b.heartbeat(5000);
    await b.enqueue(call('b-first', 10));
    await a.enqueue(call('a-second', 20));
    t.same(await a.claim(30), [], "b's call is ahead: the agent waits for b");
    t.match(await b.claim(30), [{ callId: 'b-first', agentId: 'p' }]);
    await a.moveAgent('p', 'ringing', 'available', 40);
    await b.heartbeat(1);
    await b.enqueue(call('b-dead', 5));
    await sleep(30);
    t.match(await a.claim(50), [{ callId: 'a-second', agentId: 'p' }], "b is dead: a's call");
  });

  each('the first answer wins, whichever instance sends it', async (t, { a, b }) => {
    await a.ownCall({ callId: 'k', state: 'ringing', agentId: 'p' });
    const answers = await Promise.all([a.answer('k', 'p'), b.answer('k', 'q'), a.answer('k', 'r')]);
    t.equal(answers.filter(Boolean).length, 1);
    t.equal((await b.call('k'))?.answeredBy, ['p', 'q', 'r'][answers.indexOf(true)]);
  });

  each('calls are owned by the instance that holds them', async (t, { a, b }) => {
    await a.ownCall({ callId: 'k1', state: 'connected', agentId: 'p' });
    await b.ownCall({ callId: 'k2', state: 'queued' });
    t.same(await b.call('k1'), {
      callId: 'k1',
      owner: a.instanceId,
      state: 'connected',
      agentId: 'p',
    });
    t.same(
      (await a.callsOf(a.instanceId)).map((c) => c.callId),
      ['k1'],
    );
    await a.endCall('k1');
    t.equal(await b.call('k1'), undefined);
    t.same(await a.callsOf(a.instanceId), []);
    t.equal((await a.callsOf(b.instanceId)).length, 1);
  });

  each('pending transactions are as the last write saw them', async (t, { a, b }) => {
    await a.ownCall({
      callId: 'k',
      state: 'ringing',
      dialogIds: ['d-agent'],
      customerTxnId: 'tx-customer',
      agentTxnIds: ['tx-p', 'tx-q'],
    });
    t.match(await b.call('k'), { customerTxnId: 'tx-customer', agentTxnIds: ['tx-p', 'tx-q'] });
    // Answered: no INVITE is pending any more; the dialogs stay known.
    await a.ownCall({ callId: 'k', state: 'connected', dialogIds: [] });
    const after = (await b.call('k'))!;
    t.equal(after.customerTxnId, undefined);
    t.equal(after.agentTxnIds, undefined);
    t.same(after.dialogIds, ['d-agent']);
  });

  each('engagements: which agent is on which call, from which instance', async (t, { a, b }) => {
    await a.openEngagement({ agentId: 'p', callId: 'k1', role: 'primary' });
    await b.openEngagement({ agentId: 'p', callId: 'k2', role: 'consult' });
    t.same(await a.engagementsOf('p'), [
      { agentId: 'p', callId: 'k1', role: 'primary', instanceId: a.instanceId },
      { agentId: 'p', callId: 'k2', role: 'consult', instanceId: b.instanceId },
    ]);
    await b.closeEngagement('p', 'k1');
    t.same(
      (await b.engagementsOf('p')).map((e) => e.callId),
      ['k2'],
    );
  });

  each('episodes keep t0 and their deadlines as absolute times', async (t, { a, b }) => {
    const ep = {
      agentId: 'p',
      callId: 'k',
      evidence: 'media-silence',
      situation: 'phone-call',
      t0: 1_764_590_000_123,
      reconnectWindowAt: 1_764_590_030_123,
      presenceTimeoutAt: 1_764_590_120_123,
    };
    await a.startEpisode(ep);
    t.same(await b.episode('p'), { ...ep, owner: a.instanceId });
    await b.updateEpisode('p', { situation: 'after-call' });
    t.equal((await a.episode('p'))?.situation, 'after-call');
    await a.endEpisode('p');
    t.equal(await b.episode('p'), undefined);
  });

  each('a secret is made once, the same for every instance', async (t, { a, b, c }) => {
    const all = await Promise.all([a.secret('digest'), b.secret('digest'), c.secret('digest')]);
    t.match(all[0], /^[0-9a-f]{64}$/);
    t.same(all, [all[0], all[0], all[0]]);
    t.not(await a.secret('other'), all[0]);
  });

  each('heartbeats: an instance is alive for its TTL', async (t, { a, b }) => {
    await a.heartbeat(5000);
    await b.heartbeat(80);
    t.match(await a.instances(), [
      { id: a.instanceId, alive: true },
      { id: b.instanceId, alive: true },
    ]);
    await sleep(200);
    t.match(await a.instances(), [
      { id: a.instanceId, alive: true },
      { id: b.instanceId, alive: false },
    ]);
  });

  each('one survivor takes over what a dead instance held', async (t, { a, b, c }) => {
    await readyAgents(a, ['ringing-agent', 'busy-agent', 'gone-agent', 'idle-agent']);
    for (const s of [a, b, c]) await s.heartbeat(5000);
    await a.moveAgent('ringing-agent', 'available', 'ringing', 2000);
    await a.moveAgent('busy-agent', 'available', 'ringing', 2000);
    await a.moveAgent('busy-agent', 'ringing', 'busy', 2001);
    await a.moveAgent('gone-agent', 'available', 'disconnected', 2002);
    await a.enqueue(call('queued', 100));
    await a.ownCall({ callId: 'queued', state: 'queued' });
    await a.ownCall({ callId: 'ringing', state: 'ringing', agentId: 'ringing-agent' });
    await a.ownCall({ callId: 'connected', state: 'connected', agentId: 'busy-agent' });
    await a.startEpisode({
      agentId: 'gone-agent',
      evidence: 'sip-failure',
      situation: 'idle',
      t0: 2002,
      reconnectWindowAt: 32002,
      presenceTimeoutAt: 92002,
    });
    await b.enqueue(call('b-call', 50));
    // idle-agent's binding: taken by a, with its absolute expiry; b-agent's: taken by b.
    await a.register({
      agentId: 'idle-agent',
      contact: { ...contact('idle-agent'), expiresAt: 1_796_145_409_847 },
      sipServer: '127.0.0.1:5060',
    });
    await b.initAgent({ id: 'b-agent', status: 'offline', now: 1000 });
    await b.register({ agentId: 'b-agent', contact: contact('b-agent'), sipServer: 's' });
    t.equal(await b.takeOver(a.instanceId, 'orphaned'), undefined, 'not while a is alive');
    await a.heartbeat(1);
    await sleep(30);
    const [fromB, fromC] = await Promise.all([
      b.takeOver(a.instanceId, 'orphaned'),
      c.takeOver(a.instanceId, 'orphaned'),
    ]);
    t.ok(!fromB !== !fromC, 'exactly one survivor takes over');
    const [winner, got] = fromB ? [b, fromB] : [c, fromC!];
    t.same(
      got.queued.map((q) => [q.callId, q.owner]),
      [['queued', winner.instanceId]],
    );
    t.same(
      got.episodes.map((e) => [e.agentId, e.owner, e.presenceTimeoutAt]),
      [['gone-agent', winner.instanceId, 92002]],
    );
    t.same(got.freedAgents, ['ringing-agent']);
    t.same(
      got.registrations.map((r) => [r.agentId, r.instanceId]),
      ['busy-agent', 'gone-agent', 'idle-agent', 'ringing-agent'].map((id) => [
        id,
        winner.instanceId,
      ]),
      "a's registrations are the survivor's",
    );
    t.equal(got.registrations[2].contact.expiresAt, 1_796_145_409_847, 'with their expiry');
    t.equal((await c.registration('idle-agent'))?.instanceId, winner.instanceId);
    t.equal((await c.registration('b-agent'))?.instanceId, b.instanceId, "b's stay b's");
    t.same(got.calls.map((k) => [k.callId, k.fate, k.owner]).sort(), [
      ['connected', 'orphaned', winner.instanceId],
      ['ringing', 'orphaned', winner.instanceId],
    ]);
    t.match(await a.agent('ringing-agent'), { status: 'available', holder: '' });
    t.match(await a.agent('busy-agent'), { status: 'busy', holder: winner.instanceId });
    t.match(await a.agent('gone-agent'), { status: 'disconnected', holder: winner.instanceId });
    t.equal((await a.episode('gone-agent'))?.owner, winner.instanceId);
    t.same(
      (await a.queue()).map((q) => [q.callId, q.owner]),
      [
        ['b-call', b.instanceId],
        ['queued', winner.instanceId],
      ],
    );
    t.same(
      (await a.instances()).map((i) => i.id),
      [b.instanceId, c.instanceId],
    );
    t.equal(await b.takeOver(a.instanceId, 'orphaned'), undefined, 'and only once');
  });

  each('a digest nonce count is taken once, whichever instance asks', async (t, { a, b, c }) => {
    const until = Date.now() + 60_000;
    t.ok(await a.useNonce('n1', 1, until), 'nc 1 on a');
    t.notOk(await b.useNonce('n1', 1, until), 'the same count on b is a replay');
    t.ok(await c.useNonce('n1', 2, until), 'a higher count on c is fine');
    t.notOk(await a.useNonce('n1', 2, until), 'and then a replay on a');
    t.notOk(await b.useNonce('n1', 1, until), 'a lower one too');
    const racing = await Promise.all([a, b, c].map((s) => s.useNonce('n1', 3, until)));
    t.equal(racing.filter(Boolean).length, 1, 'racing instances: exactly one takes count 3');
    t.ok(await b.useNonce('n2', 1, until), 'another nonce counts apart');
    t.ok(await a.useNonce('n3', 1, Date.now() + 40));
    await sleep(120);
    t.ok(await b.useNonce('n3', 1, Date.now() + 40), 'an expired nonce is forgotten');
  });

  each("every instance sees the others' changes", async (t, { a, b }) => {
    const seen: string[] = [];
    const stop = await b.watch((ch) => {
      seen.push(ch.kind === 'agent' ? `agent ${ch.agent.id} ${ch.agent.status}` : ch.kind);
    });
    await a.initAgent({ id: 'x', status: 'offline', now: 1 });
    await a.register({ agentId: 'x', contact: contact('x'), sipServer: 's' });
    await a.moveAgent('x', 'offline', 'available', 2);
    await a.enqueue(call('k', 1));
    await a.startEpisode({
      agentId: 'x',
      evidence: 'e',
      situation: 'idle',
      t0: 1,
      reconnectWindowAt: 2,
      presenceTimeoutAt: 3,
    });
    for (let i = 0; i < 50 && seen.length < 5; i++) await sleep(10);
    stop();
    t.same(seen, ['agent x offline', 'registration', 'agent x available', 'queue', 'episode']);
  });

  each('racing claims never give an agent or a call twice', async (t, { a, b, c }) => {
    const agents = Array.from({ length: 6 }, (_, i) => `agent-${i}`);
    await readyAgents(a, agents);
    for (const s of [a, b, c]) await s.heartbeat(10_000);
    let n = 0;
    // Interleaved: every round, each instance has calls at the head of the queue.
    for (let i = 0; i < 40; i++) for (const s of [a, b, c]) await s.enqueue(call(`k${n++}`, n));
    const offered = new Map<string, string>();
    const answered = new Set<string>();
    let doubles = 0;
    // Rounds of claims sent at once by all three; each claimed agent is released after.
    for (let round = 0; round < 25; round++) {
      const results = await Promise.all(
        [a, b, c, a, b, c].map(async (s) => ({ s, claims: await s.claim(5000 + round) })),
      );
      const ringing = new Set<string>();
      for (const { s, claims } of results)
        for (const cl of claims) {
          if (ringing.has(cl.agentId) || offered.has(cl.callId)) doubles++;
          ringing.add(cl.agentId);
          offered.set(cl.callId, cl.agentId);
          if (await s.answer(cl.callId, cl.agentId)) answered.add(cl.callId);
          else doubles++;
        }
      for (const id of ringing) await a.moveAgent(id, 'ringing', 'available', 6000 + round);
    }
    t.equal(doubles, 0, 'no agent offered two calls at once, no call claimed or answered twice');
    t.equal(offered.size, 120, 'every call was served');
    t.equal(answered.size, 120);
    t.same(await a.queue(), []);
  });
}
