import t from 'tap';
import { assertCallMove, IllegalCallTransitionError } from '../../gateway/call/call-state';

t.test('legal call moves pass, illegal ones throw naming the call and the move', async (t) => {
  for (const [from, to] of [
    ['queued', 'ringing'],
    ['ringing', 'connected'],
    ['ringing', 'queued'],
    ['connected', 'agentGone'],
    ['agentGone', 'connected'],
    ['agentGone', 'queued'],
    ['queued', 'overflow'],
    ['overflow', 'connected'],
    ['connected', 'ended'],
  ] as const) {
    t.doesNotThrow(() => assertCallMove('c1', from, to), `${from} → ${to}`);
  }
  t.throws(
    () => assertCallMove('c1', 'queued', 'connected'),
    new IllegalCallTransitionError(
      'call c1: illegal move queued → connected (allowed: ringing, overflow, ended)',
    ),
  );
  t.throws(() => assertCallMove('c1', 'ended', 'queued'), /allowed: none/);
  t.throws(() => assertCallMove('c1', 'connected', 'ringing'), IllegalCallTransitionError);
  t.throws(() => assertCallMove('c1', 'agentGone', 'overflow'), IllegalCallTransitionError);
});
