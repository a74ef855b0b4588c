import t from 'tap';
import { AgentAbsence, type PolicyStep } from '../../gateway/policy/agent-absence';
import {
  actionsFor,
  COLUMNS,
  DISCONNECT_POLICY,
  SITUATIONS,
} from '../../gateway/policy/disconnect-policy';
import { ManualClock } from '../fixtures/manual-clock';

t.test(
  'every cell of the matrix is defined, and the two columns say what the seed says',
  async (t) => {
    for (const s of SITUATIONS)
      for (const c of COLUMNS) t.ok(DISCONNECT_POLICY[s][c], `${s} × ${c}`);
    t.same(actionsFor('disconnected', 'notifications', 'enter'), ['holdNotifications']);
    // "Stays assigned" is no action (nothing is done); "hold, mute unchanged" is part of
    // the reattach.
    t.same(actionsFor('disconnected', 'phoneCall', 'enter'), ['playDisconnectedPrompt']);
    t.same(actionsFor('backWithinWindow', 'phoneCall', 'enter'), ['reattachAgent']);
    t.same(actionsFor('backWithinWindow', 'notifications', 'enter'), ['deliverHeldNotifications']);
    t.same(actionsFor('windowElapsed', 'phoneCall', 'enter'), ['rerouteCall']);
    t.same(actionsFor('windowElapsed', 'notifications', 'back'), [
      'expireStaleNotifications',
      'deliverHeldNotifications',
    ]);
    t.same(actionsFor('presenceElapsed', 'notifications', 'enter'), []);
    t.same(actionsFor('presenceElapsed', 'notifications', 'back'), [
      'expireStaleNotifications',
      'deliverHeldNotifications',
    ]);
  },
);

function absence(times = { reconnectWindowMs: 30_000, presenceTimeoutMs: 150_000 }) {
  const clock = new ManualClock();
  const steps: PolicyStep[] = [];
  const a = new AgentAbsence({
    agentId: 'alice',
    evidence: 'media-loss',
    times,
    clock,
    execute: (s) => steps.push(s),
    // An agent on one phone call.
    columns: () => [{ column: 'notifications' }, { column: 'phoneCall' }],
  });
  a.start();
  const summary = () => steps.map((s) => `${s.situation}/${s.moment}/${s.column}@${s.elapsedMs}`);
  return { clock, steps, a, summary };
}

t.test('back within the window: reattach and deliver, deadlines gone', async (t) => {
  const { clock, a, summary } = absence();
  t.same(summary(), ['disconnected/enter/notifications@0', 'disconnected/enter/phoneCall@0']);
  clock.advance(29_999);
  t.equal(a.back('re-invite'), 'backWithinWindow');
  t.same(summary().slice(2), [
    'backWithinWindow/enter/notifications@29999',
    'backWithinWindow/enter/phoneCall@29999',
  ]);
  t.equal(clock.pending, 0);
  t.throws(() => a.back('re-invite'), /already ended/);
});

t.test('window passes: reroute at exactly the window, deliver on a later return', async (t) => {
  const { clock, a, summary, steps } = absence();
  clock.advance(30_000);
  t.same(summary().slice(2), ['windowElapsed/enter/phoneCall@30000']);
  t.equal(steps[2].evidence, 'media-loss');
  clock.advance(60_000);
  a.back('explicit-signal');
  t.same(summary().slice(3), ['windowElapsed/back/notifications@90000']);
  t.equal(clock.pending, 0);
});

t.test(
  'presence timeout: reroute again is requested (idempotent), delivery on return',
  async (t) => {
    const { clock, a, summary } = absence();
    clock.advance(150_000);
    t.equal(a.situation, 'presenceElapsed');
    t.same(summary().slice(2), [
      'windowElapsed/enter/phoneCall@30000',
      'presenceElapsed/enter/phoneCall@150000',
    ]);
    clock.advance(1_000_000);
    a.back('re-register');
    t.same(summary().slice(4), ['presenceElapsed/back/notifications@1150000']);
  },
);

t.test('end() cancels everything and runs nothing more', async (t) => {
  const { clock, a, steps } = absence();
  a.end();
  clock.advance(1_000_000);
  t.equal(steps.length, 2);
  t.equal(clock.pending, 0);
});
