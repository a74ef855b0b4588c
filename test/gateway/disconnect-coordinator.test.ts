// The coordinator carries out the policy matrix on agents, calls and notification boxes.
// Time is a manual clock; the call, its engagements and the router are small fakes that
// record what they were asked (the real ones are exercised end to end in test/e2e).
import t from 'tap';
import pino from 'pino';
import { AgentDirectory } from '../../gateway/agents/agent-directory';
import type { Call } from '../../gateway/call/call';
import { NotificationCenter } from '../../gateway/notifications/notification-center';
import { ConversationBook } from '../../gateway/conversations/conversation-book';
import type { Engagement } from '../../gateway/engagements/engagements';
import { DisconnectCoordinator } from '../../gateway/policy/disconnect-coordinator';
import { DISCONNECT_POLICY, type PolicyMatrix } from '../../gateway/policy/disconnect-policy';
import type { CallRouter } from '../../gateway/routing/call-router';
import { ManualClock } from '../fixtures/manual-clock';

class FakeLeg {
  /** A live dialog (the agent's SIP side is still there). */
  dialog: object | undefined = {};
  constructor(public state: string) {}
}

class FakeCall {
  state = 'connected';
  phase = 'talking';
  conversationId = undefined;
  ended = false;
  asked: string[] = [];
  constructor(
    readonly id: string,
    public agentId: string | undefined,
    private readonly onReroute: () => void = () => {},
  ) {}
  async coverAbsence(_leg: unknown, evidence: string) {
    this.asked.push(`gone:${evidence}`);
    this.state = 'agentGone';
  }
  async reattach(evidence: string) {
    this.asked.push(`reattach:${evidence}`);
    this.state = 'connected';
  }
  /** Only feeds call records and metrics; the coordinator's decisions do not depend on it. */
  returning(evidence: string) {
    this.returned.push(evidence);
  }
  readonly returned: string[] = [];
  async reofferToAgent() {
    this.asked.push('reoffer');
    return true;
  }
  cancelRing() {
    this.asked.push('cancelRing');
  }
  /** The policy's report of the cells it ran (for the call record): not a question asked. */
  emit() {
    return true;
  }
  async reattachOnNewLeg() {
    this.asked.push('newLeg');
    return true;
  }
  fail(_err: Error) {
    this.asked.push('fail');
  }
  reroute(raise: number) {
    this.asked.push(`reroute:${raise}`);
    this.agentId = undefined;
    this.state = 'queued';
    this.onReroute();
  }
}

/** The engagements as the coordinator reads them; the test writes them by hand. */
class FakeEngagements {
  readonly list: Engagement[] = [];
  of(agentId: string) {
    return this.list.filter((e) => e.agentId === agentId);
  }
  primaryOf(agentId: string) {
    return this.of(agentId).find((e) => e.role === 'primary');
  }
  add(agentId: string, call: FakeCall, leg: FakeLeg) {
    this.list.push({ agentId, call, leg, role: 'primary' } as unknown as Engagement);
  }
  remove(agentId: string, callId: string) {
    const i = this.list.findIndex((e) => e.agentId === agentId && e.call.id === callId);
    if (i >= 0) this.list.splice(i, 1);
  }
}

function setup(matrix?: PolicyMatrix) {
  const clock = new ManualClock();
  const agents = new AgentDirectory(
    [
      { id: 'alice', uri: 'sip:alice@h', token: 'a' },
      { id: 'bob', uri: 'sip:bob@h', token: 'b' },
    ],
    () => clock.now(),
  );
  const calls = new Map<string, Call>();
  const engagements = new FakeEngagements();
  // A rerouted call's leg is released, and with it the agent's engagement.
  const call = new FakeCall('c1', 'alice', () => engagements.remove('alice', 'c1'));
  calls.set('c1', call as unknown as Call);
  const alice = agents.get('alice')!;
  agents.move(alice, 'ringing');
  agents.move(alice, 'busy');
  engagements.add('alice', call, new FakeLeg('up'));
  const queued: string[] = [];
  const router = { enqueue: (c: Call) => queued.push(c.id) } as unknown as CallRouter;
  const notifications = new NotificationCenter(['alice', 'bob'], () => clock.now());
  const config = {
    policy: {
      reconnectWindowMs: 30_000,
      presenceTimeoutMs: 150_000,
      failureReasons: [],
      keepaliveMs: 0,
      reroutePriority: 10,
    },
    queue: {
      ringTimeoutMs: 1000,
      musicDelayMs: 0,
      maxWaitMs: 10_000,
      maxQueued: 1000,
      retryAfterS: 5,
    },
  };
  const coordinator = new DisconnectCoordinator({
    agents,
    engagements,
    calls,
    router,
    notifications,
    conversations: new ConversationBook(() => clock.now()),
    config,
    clock,
    log: pino({ level: 'silent' }),
    ...(matrix ? { matrix } : {}),
  });
  const box = notifications.box('alice');
  const got: string[] = [];
  box.subscribe((d) =>
    got.push(`${d.event}:${d.notification.type}${'reason' in d ? `(${d.reason})` : ''}`),
  );
  return { clock, agents, call, calls, engagements, queued, coordinator, box, got, alice };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test(
  'gone: call kept and prompted, notifications held; back in the window: reattached, delivered',
  async (t) => {
    const s = setup();
    s.coordinator.gone('alice', 'media-loss');
    t.equal(s.alice.status, 'disconnected');
    t.same(s.call.asked, ['gone:media-loss']);
    s.box.post({ type: 'chat' });
    t.same(s.got, [], 'held');
    s.coordinator.gone('alice', 'keepalive-failed');
    t.same(s.call.asked, ['gone:media-loss'], 'later evidence changes nothing');
    s.clock.advance(29_999);
    t.ok(s.coordinator.back('alice', 're-invite'));
    await tick();
    t.same(s.call.asked, ['gone:media-loss', 'reattach:re-invite']);
    t.equal(s.alice.status, 'busy', 'back on its call');
    t.same(s.got, ['notification:chat']);
    t.equal(s.clock.pending, 0, 'no deadline left');
    t.notOk(s.coordinator.back('alice', 're-invite'), 'not gone any more');
  },
);

t.test('explicit connected: the live leg is re-offered before the reattach', async (t) => {
  const s = setup();
  s.coordinator.gone('alice', 'explicit-signal');
  s.coordinator.back('alice', 'explicit-signal');
  await tick();
  await tick();
  t.same(s.call.asked, ['gone:explicit-signal', 'reoffer', 'reattach:explicit-signal']);
});

t.test(
  'window: rerouted with raised priority; presence: offline; return: stale expired, rest delivered',
  async (t) => {
    const s = setup();
    s.coordinator.gone('alice', 'bye-failure-reason');
    s.box.post({ type: 'call-offer', callId: 'c1' });
    s.box.post({ type: 'chat' });
    s.clock.advance(30_000);
    t.same(s.call.asked, ['gone:bye-failure-reason', 'reroute:10']);
    t.same(s.queued, ['c1']);
    t.same(s.engagements.of('alice'), [], 'alice is no longer on c1');
    t.equal(s.alice.status, 'disconnected');
    s.call.agentId = 'bob'; // bob took it
    s.clock.advance(120_000);
    t.equal(s.alice.status, 'offline', 'offline at the presence timeout');
    t.same(s.queued, ['c1'], 'not queued twice');
    t.same(s.got, []);
    s.clock.advance(500_000);
    s.coordinator.back('alice', 're-register');
    t.equal(s.alice.status, 'available');
    t.same(s.got, ['expired:call-offer(call c1 was given to agent bob)', 'notification:chat']);
    t.equal(s.clock.pending, 0);
  },
);

t.test(
  'an idle agent that drops and returns after the window is simply available again',
  async (t) => {
    const s = setup();
    const bob = s.agents.get('bob')!;
    s.coordinator.gone('bob', 'explicit-signal');
    t.equal(bob.status, 'disconnected');
    s.clock.advance(60_000);
    s.coordinator.back('bob', 'explicit-signal');
    t.equal(bob.status, 'available');
    s.coordinator.gone('bob', 'explicit-signal');
    s.coordinator.close();
    t.equal(s.clock.pending, 0, 'close cancels every deadline');
  },
);

t.test('an agent that drops while being rung: the ring is cancelled', async (t) => {
  const s = setup();
  const bob = s.agents.get('bob')!;
  const c2 = new FakeCall('c2', 'bob');
  c2.state = 'ringing';
  s.calls.set('c2', c2 as unknown as Call);
  s.agents.move(bob, 'ringing');
  s.engagements.add('bob', c2, new FakeLeg('setup'));
  s.coordinator.gone('bob', 'explicit-signal');
  t.same(c2.asked, ['cancelRing']);
  t.equal(bob.status, 'disconnected');
  s.coordinator.close();
});

t.test(
  'dropped while rung, back before the ring has ended: available, not left disconnected',
  async (t) => {
    const s = setup();
    const bob = s.agents.get('bob')!;
    const c2 = new FakeCall('c2', 'bob');
    s.calls.set('c2', c2 as unknown as Call);
    s.agents.move(bob, 'ringing');
    s.engagements.add('bob', c2, new FakeLeg('setup'));
    s.coordinator.gone('bob', 'transport-closed');
    // The cancelled ring's leg (and engagement) is still on its way out.
    t.ok(s.coordinator.back('bob', 're-register'));
    await tick();
    t.equal(bob.status, 'available');
    t.equal(s.coordinator.size, 0);
    s.coordinator.close();
  },
);

t.test('a reattach that fails leaves the agent available, not disconnected', async (t) => {
  const s = setup();
  s.call.reattach = async () => {
    throw new Error('rtpengine went away');
  };
  s.call.fail = () => {
    s.call.ended = true;
  };
  s.coordinator.gone('alice', 'media-loss');
  t.ok(s.coordinator.back('alice', 're-invite'));
  await tick();
  await tick();
  t.ok(s.call.ended, 'the call failed');
  t.equal(s.alice.status, 'available');
  s.coordinator.close();
});

t.test('the matrix is the rule: editing a cell changes what the coordinator does', async (t) => {
  // The same drop under two matrices: the shipped one, and one whose `disconnected`
  // notifications cell holds nothing and whose `windowElapsed` phone-call cell reroutes nothing.
  const edited: PolicyMatrix = {
    ...DISCONNECT_POLICY,
    disconnected: {
      ...DISCONNECT_POLICY.disconnected,
      notifications: { enter: [], back: [] },
    },
    windowElapsed: {
      ...DISCONNECT_POLICY.windowElapsed,
      phoneCall: { enter: [], back: [] },
    },
  };
  for (const [name, matrix, want] of [
    ['shipped', undefined, { got: [], asked: ['gone:media-loss', 'reroute:10'] }],
    ['edited', edited, { got: ['notification:chat'], asked: ['gone:media-loss'] }],
  ] as const) {
    const s = setup(matrix);
    s.coordinator.gone('alice', 'media-loss');
    s.box.post({ type: 'chat' });
    t.same(s.got, want.got, `${name}: notifications`);
    s.clock.advance(30_000);
    t.same(s.call.asked, want.asked, `${name}: what the call was asked`);
    s.coordinator.close();
  }
});
