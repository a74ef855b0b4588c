import t from 'tap';
import { callOutcome } from '../../gateway/call-records/call-outcome';
import { CallRecordBuilder } from '../../gateway/call-records/call-record-builder';
import { CallRecordPublisher } from '../../gateway/call-records/call-record-publisher';
import { capturedLogger } from './fixtures/log-capture';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

function builder() {
  let now = T0;
  const b = new CallRecordBuilder({
    callId: 'c1',
    customer: { from: 'sip:+33100@sbc', source: '10.0.0.5' },
    now: () => now,
  });
  return { b, at: (ms: number) => (now = T0 + ms) };
}

t.test(
  'a drop with the same agent back: legs, episode with evidence, latencies, outcome',
  async (t) => {
    const { b, at } = builder();
    at(100);
    b.legOffered('a1');
    at(2100);
    b.legAnswered('a1');
    at(60_000);
    t.equal(b.agentGone('a1', 'explicit-signal'), true);
    at(60_500);
    t.equal(b.agentGone('a1', 'media-loss'), false, 'later evidence joins the open episode');
    at(60_150);
    t.equal(b.promptStarted(), 150);
    t.equal(b.promptStarted(), undefined);
    at(70_000);
    b.agentReturned('re-invite');
    b.agentReturned('media-resumed'); // the first return evidence counts
    at(70_080);
    const ep = b.reattached();
    t.match(ep, { outcome: 'reattached', reconnectToAudioMs: 80, durationMs: 10_080 });
    at(90_000);
    const r = b.end('customer-hangup');
    t.same(r, {
      schema: 'holdfast.call-record/1',
      callId: 'c1',
      customer: { from: 'sip:+33100@sbc', source: '10.0.0.5' },
      startedAt: '2025-01-06T09:00:00.000Z',
      answeredAt: '2025-01-06T09:00:02.100Z',
      queueWaitMs: 2100,
      endedAt: '2025-01-06T09:01:30.000Z',
      durationMs: 90_000,
      legs: [
        {
          agentId: 'a1',
          resumption: false,
          offeredAt: '2025-01-06T09:00:00.100Z',
          answeredAt: '2025-01-06T09:00:02.100Z',
          endedAt: '2025-01-06T09:01:30.000Z',
          endReason: 'customer-hangup',
        },
      ],
      disconnects: [
        {
          agentId: 'a1',
          evidence: 'explicit-signal',
          t0: '2025-01-06T09:01:00.000Z',
          promptAt: '2025-01-06T09:01:00.150Z',
          detectionToPromptMs: 150,
          returnEvidence: 're-invite',
          returnedAt: '2025-01-06T09:01:10.000Z',
          reconnectToAudioMs: 80,
          durationMs: 10_080,
          outcome: 'reattached',
        },
      ],
      outcome: 'answered',
      endReason: 'customer-hangup',
    });
    t.equal(
      JSON.parse(JSON.stringify(r)).disconnects[0].evidence,
      'explicit-signal',
      'the record is plain JSON',
    );
    t.equal(b.end('error'), r, 'end is idempotent');
    b.legOffered('a2');
    t.equal(r.legs.length, 1, 'events after the end are ignored');
  },
);

t.test('rerouted to another agent, then the customer leaves during a second drop', async (t) => {
  const { b, at } = builder();
  b.legOffered('a1');
  at(1000);
  b.legAnswered('a1');
  at(5000);
  b.agentGone('a1', 'media-loss');
  at(35_000);
  t.match(b.rerouted(), { outcome: 'rerouted', durationMs: 30_000 });
  t.notOk(b.rerouted(), 'nothing open any more');
  b.legEnded('a1', 'rerouted');
  at(36_000);
  b.legOffered('a2');
  at(38_000);
  b.legAnswered('a2');
  at(50_000);
  b.agentGone('a2', 'transport-closed');
  t.equal(b.disconnectedAgent, 'a2');
  at(52_000);
  const r = b.end('customer-hangup');
  t.same(
    r.disconnects.map((e) => [e.agentId, e.evidence, e.outcome, e.durationMs]),
    [
      ['a1', 'media-loss', 'rerouted', 30_000],
      ['a2', 'transport-closed', 'customer-left', 2000],
    ],
  );
  t.same(
    r.legs.map((l) => [l.agentId, l.endReason]),
    [
      ['a1', 'rerouted'],
      ['a2', 'customer-hangup'],
    ],
  );
  t.equal(r.queueWaitMs, 1000, 'the first answer');
  t.equal(r.outcome, 'answered');
});

t.test(
  "a consulted agent's drop is an episode of its own, beside the call's agent's",
  async (t) => {
    const { b, at } = builder();
    b.legOffered('alice', { role: 'primary' });
    b.legAnswered('alice');
    at(10_000);
    b.legOffered('bob', { role: 'consult' });
    b.legAnswered('bob');
    at(20_000);
    // bob's cell releases his leg before it is told (the coordinator's order).
    b.legEnded('bob', 'secondary-disconnected');
    const cell = { column: 'consultSecondary', evidence: 'media-loss' as const };
    b.policyApplied({
      ...cell,
      situation: 'disconnected',
      actions: ['releaseSecondary'],
      agentId: 'bob',
    });
    b.policyApplied({ ...cell, situation: 'windowElapsed', actions: [], agentId: 'bob' });
    at(25_000);
    b.agentGone('alice', 'transport-closed');
    b.policyApplied({
      situation: 'disconnected',
      column: 'phoneCall',
      actions: ['playDisconnectedPrompt'],
      agentId: 'alice',
      evidence: 'transport-closed',
    });
    at(26_000);
    const r = b.end('customer-hangup');
    t.same(
      r.disconnects.map((e) => [e.agentId, e.evidence, e.outcome, e.durationMs, e.cells]),
      [
        ['bob', 'media-loss', 'released', 0, ['disconnected/consultSecondary: releaseSecondary']],
        [
          'alice',
          'transport-closed',
          'customer-left',
          1000,
          ['disconnected/phoneCall: playDisconnectedPrompt'],
        ],
      ],
      "bob's episode closes with his leg; a later row for him opens nothing",
    );
  },
);

t.test("a part's episode still open at the end closes with the call", async (t) => {
  const { b, at } = builder();
  b.legOffered('alice', { role: 'primary' });
  b.legAnswered('alice');
  b.legOffered('bob', { role: 'transfer' });
  b.policyApplied({
    situation: 'disconnected',
    column: 'transfer',
    actions: ['continueTransfer'],
    agentId: 'alice',
    evidence: 'explicit-signal',
  });
  t.equal(b.disconnectedAgent, undefined, "not the call's own episode");
  at(3000);
  const r = b.end('shutdown');
  t.same(
    r.disconnects.map((e) => [e.agentId, e.outcome, e.durationMs]),
    [['alice', 'call-ended', 3000]],
  );
});

t.test('a shutdown during an episode ends it as call-ended; overflow is recorded', async (t) => {
  const { b, at } = builder();
  b.legOffered('a1');
  b.legAnswered('a1');
  b.agentGone('a1', 'keepalive-failed');
  at(200_000);
  b.overflowed('sip:overflow@pbx');
  const r = b.end('shutdown');
  t.equal(r.disconnects[0].outcome, 'call-ended');
  t.same(r.overflow, { at: '2025-01-06T09:03:20.000Z', target: 'sip:overflow@pbx' });
  t.equal(r.outcome, 'overflowed');
});

t.test('the outcome of every end reason', async (t) => {
  const o = (
    endReason: Parameters<typeof callOutcome>[0]['endReason'],
    answered = false,
    overflowed = false,
  ) => callOutcome({ endReason, answered, overflowed });
  t.equal(o('customer-hangup'), 'abandoned');
  t.equal(o('customer-cancel'), 'abandoned');
  t.equal(o('customer-hangup', true), 'answered');
  t.equal(o('agent-hangup', true), 'answered');
  t.equal(o('overflow-hangup'), 'overflowed');
  t.equal(o('customer-hangup', false, true), 'overflowed');
  t.equal(o('overflow-failed', false, true), 'failed');
  t.equal(o('error', true), 'failed');
  t.equal(o('shutdown'), 'shutdown');
  t.equal(o('shutdown', true), 'answered');
});

t.test('the publisher writes every record to the log at info', async (t) => {
  const { log, capture } = capturedLogger();
  const submitted: string[] = [];
  const p = new CallRecordPublisher(log, {
    submit: (r) => submitted.push(r.callId),
    close: async () => {},
  });
  const { b } = builder();
  p.publish(b.end('customer-cancel'));
  t.match(capture.withMsg('call record')[0], {
    level: 30,
    callId: 'c1',
    callRecord: { outcome: 'abandoned' },
  });
  t.same(submitted, ['c1']);
  const throwing = new CallRecordPublisher(log, {
    submit: () => {
      throw new Error('boom');
    },
    close: async () => {},
  });
  t.doesNotThrow(() => throwing.publish(b.end('customer-cancel')));
  t.equal(capture.withMsg('call record could not be published').length, 1);
  await p.close();
  await new CallRecordPublisher(log).close();
});
