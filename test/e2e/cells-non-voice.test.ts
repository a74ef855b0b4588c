// The "Ongoing non-phone conversation" column of the disconnect policy, end to end: the
// omnichannel system assigns conversations with PUT /v1/agents/{id}/conversations/{cid}, the
// agent's desktop drops, and what becomes of them is heard on the agent's SSE stream (after
// its return: notifications are held meanwhile), the admin stream and the signed webhook.
// One test per row, the chat escalated to a call (by header and by callId), and one drop
// while several roles apply (consult primary with a chat), each column run once.
import { performance } from 'node:perf_hooks';
import t, { type Test } from 'tap';
import type { GatewayEvent } from '../../gateway/events/ops-events';
import { toneShare } from '../helpers/audio-compare';
import { sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { CUSTOMER_TONE, hearsTone } from './fixtures/parties';
import { subscribe, type SseStream } from './fixtures/sse-client';
import {
  callApi,
  desktop,
  heardSince,
  nothingLeft,
  scene,
  scoreOf,
  SOUNDS,
  stage,
  TONES,
  webhookEvents,
  webhookRecords,
} from './fixtures/handover-scenes';
import type { Receiver } from '../ops/fixtures/webhook-receiver';

function assign(hf: TestGateway, agentId: string, cid: string, body: Record<string, unknown>) {
  return hf.api('PUT', `/v1/agents/${agentId}/conversations/${cid}`, body);
}

async function assigned(hf: TestGateway, agentId: string): Promise<string[]> {
  const r = await hf.api('GET', `/v1/agents/${agentId}/conversations`);
  return (r.json.conversations as { id: string }[]).map((c) => c.id).sort();
}

/** "type conversationId" of each event, in order. */
const named = (events: GatewayEvent[]) =>
  events
    .filter((e) => e.type.startsWith('conversation.') || e.type === 'call.ended-with-chat')
    .map((e) => `${e.type} ${String(e.conversationId)}`);

/** The same for what the agent's page got on its stream. */
function delivered(sse: SseStream): string[] {
  return sse.events
    .filter((e) => e.event === 'notification')
    .map((e) => {
      const n = e.data.notification as { type: string; data?: { conversationId?: string } };
      return `${n.type} ${String(n.data?.conversationId)}`;
    });
}

/** The signed events the webhook got, once `count` of them have arrived; all verified. */
async function hooked(t: Test, hook: Receiver, count: number): Promise<string[]> {
  await waitFor(() => webhookEvents(hook).length >= count, `${count} events on the webhook`);
  const got = webhookEvents(hook);
  t.ok(
    got.every((g) => g.verified),
    'every webhook event carries a valid signature',
  );
  return named(got.map((g) => g.event));
}

const policy = (reconnectWindowMs: number, presenceTimeoutMs: number) => ({
  policy: { reconnectWindowMs, presenceTimeoutMs },
});

t.test(
  'disconnected: conversations stay assigned; the call escalated from a chat (X-Holdfast-Conversation) ends with a Reason',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice'],
      webhook: true,
      headers: [['X-Holdfast-Conversation', 'chat-7']],
      overrides: policy(20_000, 40_000),
    });
    const { hf, call, customer, events } = s;
    const alice = s.agents.alice;
    t.equal((await assign(hf, 'alice', 'chat-7', { channel: 'chat' })).status, 201);
    t.equal((await assign(hf, 'alice', 'mail-1', { channel: 'email' })).status, 201);
    const sse = await subscribe(t, hf, 'alice');

    const customerBye = customer.ua.waitForBye(customer.dialog);
    const aliceBye = alice.ua.waitForBye(alice.current!);
    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    const bye = await customerBye;
    t.match(
      bye.get('reason') ?? '',
      /cause=480.*agent disconnected/,
      'the customer gets a BYE with a Reason',
    );
    t.ok(await aliceBye, "alice's leg is released too");
    await waitFor(() => hf.gw.calls.size === 0, 'the escalated call is over');
    t.same(await assigned(hf, 'alice'), ['chat-7', 'mail-1'], 'both conversations stay assigned');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected');

    const expected = [
      'conversation.kept chat-7',
      'conversation.kept mail-1',
      'call.ended-with-chat chat-7',
    ];
    t.same(named(events), expected, 'the admin stream: kept (each once), the call ended');
    const ended = events.find((e) => e.type === 'call.ended-with-chat')!;
    t.equal(ended.callId, call.id, 'naming the call');
    t.same((await hooked(t, s.hook!, 3)).sort(), [...expected].sort(), 'the webhook: the same');
    t.same(delivered(sse), [], 'nothing reaches the gone agent');

    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await waitFor(() => delivered(sse).length >= 5, 'held notifications delivered');
    t.same(
      delivered(sse),
      [...expected, 'conversation.rejoined chat-7', 'conversation.rejoined mail-1'],
      'back: what was held, then the rejoin',
    );
    await nothingLeft(hf);
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
  },
);

t.test(
  'disconnected: a call escalated from a chat by callId ends (no prompt); the chat stays assigned',
  async (t) => {
    const s = await scene(t, { agents: ['alice'], overrides: policy(20_000, 40_000) });
    const { hf, call, customer, events } = s;
    const alice = s.agents.alice;
    const r = await assign(hf, 'alice', 'chat-9', { channel: 'chat', callId: call.id });
    t.equal(r.status, 201);
    t.equal(r.json.conversation.callId, call.id);

    const customerBye = customer.ua.waitForBye(customer.dialog);
    const dropAt = performance.now();
    alice.ep.pause(); // this time its media stops
    const bye = await customerBye;
    t.match(bye.get('reason') ?? '', /cause=480/, 'the customer gets a BYE with a Reason');
    const prompt = scoreOf(customer.ep, dropAt, SOUNDS.agentDisconnected);
    t.ok(prompt < 0.5, `no disconnected prompt before (${prompt.toFixed(3)})`);
    t.same(named(events), ['conversation.kept chat-9', 'call.ended-with-chat chat-9']);
    t.same(await assigned(hf, 'alice'), ['chat-9'], 'the chat stays assigned');

    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await nothingLeft(hf);
  },
);

t.test('back within the window: the agent rejoins its conversations', async (t) => {
  const { hf, events, hook, open } = await stage(t, {
    agents: ['alice'],
    webhook: true,
    overrides: policy(10_000, 20_000),
  });
  await open('alice');
  t.equal((await assign(hf, 'alice', 'chat-1', { channel: 'chat' })).status, 201);
  const sse = await subscribe(t, hf, 'alice');

  t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
  t.equal(hf.gw.coordinator.absenceOf('alice')?.situation, 'disconnected');
  await sleep(800);
  t.same(named(events), ['conversation.kept chat-1']);
  t.same(delivered(sse), [], 'held while away');
  t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
  t.same(named(events), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
  t.same(await hooked(t, hook!, 2), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
  await waitFor(() => delivered(sse).length >= 2, 'delivered');
  t.same(delivered(sse), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
  t.same(await assigned(hf, 'alice'), ['chat-1'], 'still assigned');
  t.equal(hf.gw.agents.get('alice')!.status, 'available');
  await nothingLeft(hf);
});

t.test(
  'window elapsed, then back: nothing at the window; the agent rejoins on return',
  async (t) => {
    const { hf, events, hook, open } = await stage(t, {
      agents: ['alice'],
      webhook: true,
      overrides: policy(1500, 20_000),
    });
    await open('alice');
    t.equal((await assign(hf, 'alice', 'chat-1', { channel: 'chat' })).status, 201);
    const sse = await subscribe(t, hf, 'alice');

    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    await waitFor(
      () => hf.gw.coordinator.absenceOf('alice')?.situation === 'windowElapsed',
      'the window elapses',
    );
    await sleep(500);
    t.same(named(events), ['conversation.kept chat-1'], 'nothing more at the window');
    t.same(await assigned(hf, 'alice'), ['chat-1'], 'still assigned');
    t.same(delivered(sse), [], 'held while away');

    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    t.same(named(events), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
    t.same(await hooked(t, hook!, 2), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
    await waitFor(() => delivered(sse).length >= 2, 'delivered');
    t.same(delivered(sse), ['conversation.kept chat-1', 'conversation.rejoined chat-1']);
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
    await nothingLeft(hf);
  },
);

t.test(
  'presence elapsed: the conversations are rerouted (assignment removed, signed event); the agent offline',
  async (t) => {
    const { hf, events, hook, open } = await stage(t, {
      agents: ['alice'],
      webhook: true,
      overrides: policy(1000, 2500),
    });
    await open('alice');
    t.equal((await assign(hf, 'alice', 'chat-1', { channel: 'chat' })).status, 201);
    t.equal((await assign(hf, 'alice', 'mail-2', { channel: 'email' })).status, 201);
    const sse = await subscribe(t, hf, 'alice');

    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    await waitFor(() => hf.gw.agents.get('alice')!.status === 'offline', 'alice offline', 6000);
    const expected = [
      'conversation.kept chat-1',
      'conversation.kept mail-2',
      'conversation.rerouted chat-1',
      'conversation.rerouted mail-2',
    ];
    t.same(named(events), expected, 'the admin stream: kept, then rerouted');
    t.same((await hooked(t, hook!, 4)).sort(), [...expected].sort(), 'the webhook: the same');
    const rerouted = webhookEvents(hook!).find((g) => g.event.type === 'conversation.rerouted')!;
    t.match(rerouted.event, { schema: 'holdfast.event/1', agentId: 'alice', channel: 'chat' });
    t.same(await assigned(hf, 'alice'), [], 'no longer assigned');
    t.same(delivered(sse), [], 'held while away');

    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await waitFor(() => delivered(sse).length >= 4, 'delivered on return');
    t.same(delivered(sse), expected, 'back: told what became of them, nothing to rejoin');
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
    await nothingLeft(hf);
  },
);

t.test(
  'several roles at once (consult primary with a chat): each column runs once, on the drop and on the return',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      webhook: true,
      overrides: policy(20_000, 40_000),
    });
    const { hf, call, customer, events } = s;
    const { alice, bob } = s.agents;
    t.equal((await assign(hf, 'alice', 'chat-3', { channel: 'chat' })).status, 201);
    const cells: string[] = [];
    call.on('policyApplied', (c) => cells.push(`${c.situation}/${c.column}`));
    const bobAnswers = bob.nextCall();
    t.equal((await callApi(hf, call, 'consult', { agentId: 'bob' })).status, 202);
    await bobAnswers;
    await waitFor(() => call.consultLeg?.state === 'up', 'bob answered the consult');

    const dropAt = performance.now();
    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    await sleep(3000);
    t.same(cells, ['disconnected/consultPrimary'], 'the consult-primary cell ran once');
    t.same(named(events), ['conversation.kept chat-3'], 'the non-voice cell ran once');
    const told = scoreOf(bob.ep, dropAt, SOUNDS.primaryDisconnected);
    t.ok(told > 0.8, `bob hears that the primary is disconnected (${told.toFixed(3)})`);
    const music = scoreOf(customer.ep, dropAt, SOUNDS.music);
    t.ok(music > 0.8, `the customer stays on hold with music (${music.toFixed(3)})`);
    const heard = heardSince(customer.ep, dropAt);
    t.ok(
      scoreOf(customer.ep, dropAt, SOUNDS.agentDisconnected) < 0.5 &&
        toneShare(heard, TONES.bob) < 0.05,
      'and neither the agent-disconnected prompt nor bob',
    );
    t.equal(call.phase, 'consulting', 'the consult waits for alice');

    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'alice is back');
    t.same(cells, ['disconnected/consultPrimary', 'backWithinWindow/consultPrimary']);
    t.same(named(events), ['conversation.kept chat-3', 'conversation.rejoined chat-3']);
    t.equal(call.phase, 'consulting', 'the consult resumes');
    t.ok((await hearsTone(alice.ep, TONES.bob)) > 0.8, 'alice hears bob');
    t.ok((await hearsTone(bob.ep, TONES.alice)) > 0.8, 'bob hears alice');

    t.equal((await callApi(hf, call, 'consult/cancel')).status, 200);
    t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'the customer has alice back');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'and alice the customer');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
    await waitFor(() => webhookRecords(s.hook!).length === 1, 'the call record');
    const [episode] = webhookRecords(s.hook!)[0].disconnects as { cells: string[] }[];
    t.same(episode.cells, [
      'disconnected/consultPrimary: tellSecondaryPrimaryGone',
      'backWithinWindow/consultPrimary: reattachAgent',
    ]);
    await desktop(hf, 'alice', 'connected');
    t.same(await assigned(hf, 'alice'), ['chat-3']);
  },
);
