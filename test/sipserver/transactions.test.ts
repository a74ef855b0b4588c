import t from 'tap';
import { SipRequest, SipResponse, type SipMessage } from '../../sipserver/message/sip-message';
import { DEFAULT_TIMERS } from '../../sipserver/transaction/timer-values';
import { InviteClientTransaction } from '../../sipserver/transaction/invite-client-transaction';
import { InviteServerTransaction } from '../../sipserver/transaction/invite-server-transaction';
import { NonInviteClientTransaction } from '../../sipserver/transaction/non-invite-client-transaction';
import { NonInviteServerTransaction } from '../../sipserver/transaction/non-invite-server-transaction';
import { IllegalTransitionError } from '../../sipserver/transaction/transaction';
import { ManualClock } from '../fixtures/manual-clock';

const { T1, T2, T4 } = DEFAULT_TIMERS;

function request(method: string): SipRequest {
  const r = new SipRequest(method, 'sip:bob@127.0.0.1');
  r.append('Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKt1');
  r.append('From', '<sip:a@x>;tag=f');
  r.append('To', '<sip:b@y>');
  r.append('Call-ID', 'c1');
  r.append('CSeq', `1 ${method}`);
  return r;
}

function response(status: number, method = 'INVITE'): SipResponse {
  const r = new SipResponse(status, 'X');
  r.append('To', '<sip:b@y>;tag=t');
  r.append('CSeq', `1 ${method}`);
  return r;
}

function harness(reliable = false) {
  const clock = new ManualClock();
  const sent: { at: number; msg: SipMessage }[] = [];
  const ctx = {
    clock,
    timers: DEFAULT_TIMERS,
    reliable,
    send: (msg: SipMessage) => sent.push({ at: clock.now(), msg }),
  };
  return { clock, sent, ctx };
}

function clientUser() {
  const log: string[] = [];
  return {
    log,
    user: {
      onResponse: (res: SipResponse) => log.push(`response ${res.status}`),
      onTimeout: () => log.push('timeout'),
      onTerminated: () => log.push('terminated'),
    },
  };
}

t.test(
  'INVITE server: non-2xx retransmitted by Timer G (T1 doubling to T2) until ACK',
  async (t) => {
    const { clock, sent, ctx } = harness();
    let terminated = 0;
    const txn = new InviteServerTransaction('s1', request('INVITE'), ctx, {
      onTerminated: () => terminated++,
    });
    txn.respond(response(100));
    txn.onRetransmittedRequest();
    t.equal(sent.length, 2, 'retransmitted INVITE gets the last provisional again');
    txn.respond(response(486));
    t.equal(txn.state, 'Completed');
    clock.advance(8 * T1 + 2 * T2);
    const times = sent.slice(3).map((s) => s.at);
    t.same(
      times,
      [T1, 3 * T1, 7 * T1, 7 * T1 + T2, 7 * T1 + 2 * T2],
      'G fires at T1, 2T1, 4T1, then every T2',
    );
    txn.onAck();
    t.equal(txn.state, 'Confirmed');
    const before = sent.length;
    clock.advance(T4);
    t.equal(sent.length, before, 'no retransmission after ACK');
    t.equal(txn.state, 'Terminated', 'Timer I ends it after T4');
    t.equal(terminated, 1);
    t.equal(clock.pending, 0, 'no timer left');
  },
);

t.test('INVITE server: Timer H gives up waiting for the ACK after 64*T1', async (t) => {
  const { clock, ctx } = harness();
  const txn = new InviteServerTransaction('s2', request('INVITE'), ctx, {
    onTerminated: () => undefined,
  });
  txn.respond(response(500));
  clock.advance(64 * T1 - 1);
  t.equal(txn.state, 'Completed');
  clock.advance(1);
  t.equal(txn.state, 'Terminated');
});

t.test('INVITE server: 2xx moves to Accepted; reliable transport sends once', async (t) => {
  const { clock, sent, ctx } = harness(true);
  const txn = new InviteServerTransaction('s3', request('INVITE'), ctx, {
    onTerminated: () => undefined,
  });
  txn.respond(response(200));
  t.equal(txn.state, 'Accepted');
  txn.onRetransmittedRequest();
  t.equal(sent.length, 1, 'retransmitted INVITE absorbed in Accepted');
  txn.respond(response(200));
  t.equal(sent.length, 1, 'a second final is ignored');
  clock.advance(64 * T1);
  t.equal(txn.state, 'Terminated', 'Timer L');
});

t.test('state transitions reject illegal moves', async (t) => {
  const { ctx } = harness();
  const txn = new InviteServerTransaction('s4', request('INVITE'), ctx, {
    onTerminated: () => undefined,
  });
  txn.terminate();
  t.throws(
    () => (txn as unknown as { stateTransition(s: string): void }).stateTransition('Completed'),
    IllegalTransitionError,
  );
});

t.test('non-INVITE server: Timer J is 64*T1 on UDP, 0 on reliable transports', async (t) => {
  for (const reliable of [false, true]) {
    const { clock, sent, ctx } = harness(reliable);
    const txn = new NonInviteServerTransaction('n1', request('OPTIONS'), ctx, {
      onTerminated: () => undefined,
    });
    txn.onRetransmittedRequest();
    t.equal(sent.length, 0, 'retransmission absorbed in Trying');
    txn.respond(response(200, 'OPTIONS'));
    txn.onRetransmittedRequest();
    t.equal(sent.length, 2, 'final resent on retransmission');
    clock.advance(reliable ? 0 : 64 * T1);
    t.equal(txn.state, 'Terminated');
  }
});

t.test('INVITE client: Timer A doubles, Timer B times out', async (t) => {
  const { clock, sent, ctx } = harness();
  const { log, user } = clientUser();
  const txn = new InviteClientTransaction('c1', request('INVITE'), ctx, user);
  txn.start();
  clock.advance(64 * T1);
  t.same(
    sent.map((s) => s.at),
    [0, T1, 3 * T1, 7 * T1, 15 * T1, 31 * T1, 63 * T1],
    'sent at 0 and retransmitted at T1, 2T1, 4T1...',
  );
  t.same(log, ['timeout', 'terminated']);
});

t.test(
  'INVITE client: ACK for a non-2xx built by the transaction, resent on retransmission',
  async (t) => {
    const { clock, sent, ctx } = harness();
    const { log, user } = clientUser();
    const txn = new InviteClientTransaction('c2', request('INVITE'), ctx, user);
    txn.start();
    txn.receive(response(180));
    clock.advance(10 * T1);
    t.equal(sent.length, 1, 'no retransmission after a provisional');
    txn.receive(response(486));
    txn.receive(response(486));
    const acks = sent.filter((s) => s.msg.kind === 'request' && s.msg.method === 'ACK');
    t.equal(acks.length, 2);
    const ack = acks[0].msg as SipRequest;
    t.equal(ack.get('cseq'), '1 ACK');
    t.equal(ack.get('to'), '<sip:b@y>;tag=t', 'To from the response');
    t.equal(
      ack.get('via'),
      'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKt1',
      'same branch as the INVITE',
    );
    t.same(log, ['response 180', 'response 486'], 'retransmitted final not passed up');
    clock.advance(32_000);
    t.equal(txn.state, 'Terminated', 'Timer D');
  },
);

t.test('INVITE client: 2xx retransmissions reach the TU in Accepted', async (t) => {
  const { clock, ctx } = harness();
  const { log, user } = clientUser();
  const txn = new InviteClientTransaction('c3', request('INVITE'), ctx, user);
  txn.start();
  txn.receive(response(200));
  txn.receive(response(200));
  t.same(log, ['response 200', 'response 200']);
  clock.advance(64 * T1);
  t.equal(txn.state, 'Terminated', 'Timer M');
});

t.test('non-INVITE client: Timer E caps at T2, Timer F times out, Timer K', async (t) => {
  const { clock, sent, ctx } = harness();
  const { log, user } = clientUser();
  const txn = new NonInviteClientTransaction('c4', request('OPTIONS'), ctx, user);
  txn.start();
  clock.advance(8 * T1 + T2);
  t.same(
    sent.map((s) => s.at),
    [0, T1, 3 * T1, 7 * T1, 7 * T1 + T2, 7 * T1 + 2 * T2].filter((x) => x <= 8 * T1 + T2),
  );
  clock.advance(64 * T1);
  t.same(log, ['timeout', 'terminated']);

  const h = harness();
  const u = clientUser();
  const ok = new NonInviteClientTransaction('c5', request('OPTIONS'), h.ctx, u.user);
  ok.start();
  ok.receive(response(200, 'OPTIONS'));
  t.equal(ok.state, 'Completed');
  h.clock.advance(T4);
  t.equal(ok.state, 'Terminated');
  t.same(u.log, ['response 200', 'terminated']);
});
