// The SIP server connection watch on drachtio-srf's events (an EventEmitter stands in for
// Srf: the events are its whole interface here): up and down, the calls up at the drop
// ended once it is back (and only those), each return logged, nothing after close().
import { EventEmitter } from 'node:events';
import pino from 'pino';
import t from 'tap';
import type { SrfInstance } from '../../gateway/sip-types/srf-types';
import {
  SIGNALLING_LOST_REASON,
  SipConnectionWatch,
  type LosableCall,
} from '../../gateway/startup/sip-connection-watch';

function setup() {
  const srf = new EventEmitter();
  const calls = new Map<string, LosableCall>();
  const ended: { id: string; reason: string; header: string }[] = [];
  const open = (id: string) =>
    calls.set(id, {
      id,
      close: async (reason, final) => {
        ended.push({ id, reason, header: final.reason });
        calls.delete(id);
      },
    });
  let lost = 0;
  let clock = 1000;
  const watch = new SipConnectionWatch({
    srf: srf as unknown as SrfInstance,
    log: pino({ level: 'silent' }),
    calls: () => calls.values(),
    onLost: () => lost++,
    now: () => clock,
  });
  return { srf, watch, open, ended, lost: () => lost, advance: (ms: number) => (clock += ms) };
}

t.test('down on close, up on connect; the calls up at the drop end once it is back', async (t) => {
  const s = setup();
  t.equal(s.watch.up, false, 'not up before the first connection');
  s.srf.emit('connect', null, '127.0.0.1:5060');
  t.equal(s.watch.up, true, 'up');
  s.open('a');
  s.open('b');
  s.srf.emit('close');
  t.equal(s.watch.up, false, 'down once the socket closed');
  t.equal(s.lost(), 1, 'the route probe is told');
  t.equal(s.watch.strandedCalls, 2, 'two calls wait for the return');
  s.srf.emit('close'); // a second socket event changes nothing
  t.equal(s.lost(), 1);
  s.srf.emit('reconnecting', { delay: 255, attempt: 2 });
  s.srf.emit('connect', new Error('failed to authenticate to server'));
  t.equal(s.watch.up, false, 'a refused authentication is no return');
  t.same(s.ended, [], 'nothing ended while down');
  s.open('c'); // cannot happen while down; proves only the stranded ones end
  s.srf.emit('connect', null, '127.0.0.1:5060');
  t.equal(s.watch.up, true, 'up again');
  await new Promise((r) => setImmediate(r));
  t.same(
    s.ended.map((e) => e.id),
    ['a', 'b'],
    'the calls up at the drop ended',
  );
  t.match(s.ended[0], { reason: 'signalling-lost', header: SIGNALLING_LOST_REASON });
  t.equal(s.watch.strandedCalls, 0);
});

t.test('the first connection ends nothing; close() stops watching', async (t) => {
  const s = setup();
  s.open('a');
  s.srf.emit('connect', null, '127.0.0.1:5060');
  t.same(s.ended, [], 'a first connection is no return');
  s.watch.close();
  s.srf.emit('close');
  t.equal(s.watch.up, true, 'a shutdown close is not a loss');
  t.equal(s.lost(), 0);
  t.equal(s.srf.listenerCount('close') + s.srf.listenerCount('connect'), 0, 'listeners removed');
});
