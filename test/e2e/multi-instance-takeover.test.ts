// An instance killed with SIGKILL in the middle of its calls (connected, queued, one with
// its agent gone): within a few seconds the survivor takes over. The dead instance's
// waiting calls are ended cleanly (503 or BYE through the shared SIP server, rtpengine
// session deleted); its connected call is carried on here (audio decoded after the kill)
// and ended once its customer hangs up; its disconnect episode carries on here (the agent's REGISTER brings it
// back, and it takes one of the survivor's queued calls). The survivor's own calls never
// notice, and nothing of anything is left at the end.
import t from 'tap';
import { Customer, CUSTOMER_TONE, hearsTone, type Agent } from './fixtures/parties';
import { waitFor } from './fixtures/gateway-harness';
import { nothingLeft, noteTakeovers, pendingCall, takeoverScene } from './fixtures/takeover-scene';

const TONES: Record<string, number> = { a1: 600, a2: 800, a3: 1000, a4: 1200 };

/** The item of `now` that `before` lacks (both lists of owners, one more in `now`). */
function newcomer(before: string[], now: string[]): string | undefined {
  const rest = [...before];
  return now.find((o) => {
    const i = rest.indexOf(o);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

t.test('SIGKILL mid-load: the survivor takes over queue, episode and calls', async (t) => {
  const scene = await takeoverScene(t, TONES);
  const { cluster: c, survivor, store, victim, agents } = scene;

  // Four connected calls, two on each instance. The SIP server spreads new INVITEs over
  // its apps (round-robin; drachtio-server's turn can skip an app while it still lists
  // apps of earlier tests), so a call that lands where two already talk is hung up again.
  const talking: { customer: Customer; agent: Agent; onVictim: boolean }[] = [];
  for (let tries = 0; talking.length < 4 && tries < 12; tries++) {
    const before = agents.map((a) => a.dialogs.length);
    const customer = await Customer.call(t, c.target);
    const onVictim = ![...survivor.calls.values()].some(
      (k) => k.customer.sipCallId === customer.dialog.callId,
    );
    await waitFor(() => agents.some((a, i) => a.dialogs.length > before[i]), 'answered');
    const agent = agents.find((a, i) => a.dialogs.length > before[i])!;
    if (talking.filter((x) => x.onVictim === onVictim).length < 2) {
      talking.push({ customer, agent, onVictim });
      continue;
    }
    t.equal(await customer.hangUp(), 200, 'a call over the two on its instance');
    await waitFor(() => survivor.agents.get(agent.id)!.status === 'available', 'free again');
  }
  const victimCalls = talking.filter((x) => x.onVictim);
  t.equal(victimCalls.length, 2, 'two connected calls on the instance to be killed');
  // One of them loses its agent (media stops): an episode on the victim.
  const [dropped, kept] = victimCalls;
  dropped.agent.ep.pause();
  await waitFor(
    async () => (await store.episode(dropped.agent.id))?.owner === 'gw-b',
    'the episode is recorded by its instance',
  );
  // Four more calls wait (no agent is free, they hear music in early media): two on each
  // (one over that is cancelled again, as above).
  const waiting: Awaited<ReturnType<typeof pendingCall>>[] = [];
  const owners = async () => (await store.queue()).map((q) => q.owner);
  for (let tries = 0; waiting.length < 4 && tries < 12; tries++) {
    const before = await owners();
    const w = await pendingCall(t, c.sip);
    await waitFor(async () => (await owners()).length > before.length, 'queued');
    const now = await owners();
    const owner = newcomer(before, now);
    if (now.filter((o) => o === owner).length <= 2) {
      waiting.push(w);
      continue;
    }
    t.equal(await w.ua.cancelPending(), 200, 'a waiting call over the two on its instance');
    await waitFor(async () => (await owners()).length === before.length, 'dequeued');
  }
  t.same((await owners()).sort(), ['gw-a', 'gw-a', 'gw-b', 'gw-b']);
  const episodeBefore = (await store.episode(dropped.agent.id))!;

  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  await victim.exited;

  // The dead instance's waiting calls get a final answer (503): from the embedded SIP
  // server itself (the app holding their INVITE is gone), or from the survivor through
  // drachtio-server by transaction id. The call whose agent is gone gets a BYE from here.
  const outcomes = waiting.map((w) => w.outcome);
  await waitFor(() => outcomes.filter((o) => o.status === 503).length === 2, '503 ×2', 6000);
  await dropped.customer.ua.waitForBye(dropped.customer.dialog, 10_000);
  const tookMs = Date.now() - killedAt;
  t.ok(tookMs < 6000, `its waiting calls were ended ${tookMs} ms after the kill`);
  t.same(
    (await store.queue()).map((q) => q.owner),
    ['gw-a', 'gw-a'],
    "only the survivor's calls wait",
  );
  const episode = await store.episode(dropped.agent.id);
  t.match(
    episode,
    { owner: 'gw-a', t0: episodeBefore.t0, presenceTimeoutAt: episodeBefore.presenceTimeoutAt },
    'the episode is the survivor’s, with its deadlines unchanged',
  );
  t.notOk(
    (await store.instances()).some((i) => i.id === 'gw-b'),
    'the dead one is gone',
  );
  // The connected call of the dead instance talks on through rtpengine.
  t.ok((await hearsTone(kept.customer.ep, kept.agent.tone)) > 0.8, 'still talking');
  t.ok((await hearsTone(kept.agent.ep, CUSTOMER_TONE)) > 0.8, 'both ways');
  // The survivor's own calls noticed nothing.
  for (const x of talking.filter((y) => !y.onVictim))
    t.ok((await hearsTone(x.customer.ep, x.agent.tone)) > 0.8, 'own call fine');

  // The gone agent registers again: its episode ends here, and it takes a queued call.
  const served = dropped.agent.nextCall(10_000);
  t.equal(await dropped.agent.ua.register(`pw-${dropped.agent.id}`), 200);
  dropped.agent.ep.resume();
  await served;
  t.equal(await store.episode(dropped.agent.id), undefined, 'the episode is over');

  // The dead instance's connected call: the customer hangs up (the SIP server has nobody
  // to give the BYE to), then its silence ends the call and frees the agent.
  // Freed, the agent may take a queued call at once (busy again within a millisecond):
  // its moves are watched, not sampled.
  let freed = false;
  survivor.agents.on('status', (a, from) => {
    if (a.id === kept.agent.id && from === 'busy') freed = true;
  });
  t.equal(await kept.customer.hangUp(), 481, 'the BYE of an orphaned dialog gets 481');
  kept.customer.ep.pause();
  await kept.agent.ua.waitForBye(kept.agent.current!, 12_000);
  await waitFor(() => freed, 'its agent is free again', 8000);

  // Everything else ends normally.
  for (const x of talking.filter((y) => !y.onVictim)) t.equal(await x.customer.hangUp(), 200);
  await waitFor(async () => (await store.queue()).length === 0, 'the queue drains', 15_000);
  await waitFor(
    () => outcomes.filter((o) => o.status === 200).length === 2,
    "the survivor's waiting calls were served",
  );
  for (const w of waiting) if (w.outcome.dialog) await w.ua.bye(w.outcome.dialog);
  await nothingLeft(scene);
  noteTakeovers(t, scene);
});
