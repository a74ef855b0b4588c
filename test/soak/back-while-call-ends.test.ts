// An agent that comes back while its call ends must be available again. The soak found
// agents left 'disconnected' for good (never offered another call): the agent registered
// again, the gateway INVITEd it back to the call, and the customer hung up while that
// INVITE rang. Its absence was over (it is back) and its engagement closed while it was
// still 'disconnected', so nothing moved it on.
import t from 'tap';
import { waitFor } from '../e2e/fixtures/gateway-harness';
import { droppedCall } from '../e2e/fixtures/scenes';

t.test('back by a new registration, the customer hangs up while it rings: available', async (t) => {
  const scene = await droppedCall(t, {
    policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
    drop: { by: 'media' },
  });
  const { call, customer } = scene;
  t.equal(scene.gw.agents.get('alice')!.status, 'disconnected');

  // The desktop is back on a new transport; its INVITE back to the call is left ringing.
  const again = await scene.open('alice');
  again.autoAnswer = false;
  const ringing = await again.ua.nextInvite(10_000);
  t.equal(ringing.req.get('x-holdfast-resume'), call.id, 'INVITEd back to its call');
  ringing.ring();

  t.equal(await customer.hangUp(), 200, 'the customer hangs up meanwhile');
  await waitFor(() => call.ended, 'the call ends');
  await waitFor(
    () => scene.gw.agents.get('alice')!.status === 'available',
    `alice available again (she is ${scene.gw.agents.get('alice')!.status})`,
    5000,
  );
  t.equal(scene.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');
  await scene.hf.settled();
});
