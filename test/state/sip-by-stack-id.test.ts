// What a survivor does to a dead instance's SIP, shown without a death: one app holds the
// transaction or dialog, a second app acts on it by the SIP server's id alone, and the UA
// on the other side sees the result. Against the embedded server, or drachtio-server when
// DRACHTIO_HOST/PORT/SECRET are set.
import t, { type Test } from 'tap';
import type Srf from 'drachtio-srf';
import { sipByStackId } from '../../gateway/state/sip-by-stack-id';
import { connectApp, routesSettled, within } from '../helpers/sip-app';
import { sipServerForTest } from '../helpers/sip-server';
import { SipError, TestUa, type Dialog } from '../e2e/fixtures/test-ua';

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0']
  .concat(['m=audio 40200 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''])
  .join('\r\n');

async function setUp(t: Test) {
  const server = await sipServerForTest(t, ['udp']);
  const owner = await connectApp(t, server);
  const other = await connectApp(t, server);
  const ua = await TestUa.open('udp', server.sip.udp!, 'party');
  t.teardown(() => ua.close());
  return { server, owner, other, ua, sip: server.sip.udp! };
}

/** An INVITE from `owner` to the UA; the request it sent (with its stackTxnId) once out. */
function inviteFrom(owner: Srf, uri: string) {
  let sent!: (txnId: string) => void;
  const txnId = new Promise<string>((resolve) => (sent = resolve));
  const outcome = owner
    .createUAC(
      uri,
      { localSdp: SDP },
      {
        cbRequest: ((_err: unknown, req: { stackTxnId: string }) =>
          sent(req.stackTxnId)) as unknown as () => void,
      },
    )
    .then(
      (dialog) => ({ dialog, status: 200 }),
      (err: { status?: number }) => ({ dialog: undefined, status: err.status ?? -1 }),
    );
  return { txnId, outcome };
}

t.test("another app's response ends a request it never saw", async (t) => {
  const { owner, other, ua, sip } = await setUp(t);
  const held = new Promise<string>((resolve) =>
    owner.invite((req) => resolve((req as unknown as { stackTxnId: string }).stackTxnId)),
  );
  await routesSettled(owner);
  const call = ua.invite(`sip:queue@${sip.host}:${sip.port}`, SDP).then(
    () => 200,
    (err: unknown) => (err instanceof SipError ? err.status : -1),
  );
  const txnId = await within(held, 5000, 'the owner gets the INVITE');
  await sipByStackId(other).reject(txnId);
  t.equal(await within(call, 5000, 'a final response'), 503, 'the UA gets 503');
  await t.rejects(sipByStackId(other).reject(txnId), 'a second response is refused');
});

t.test("another app's CANCEL stops an INVITE it never sent", async (t) => {
  const { owner, other, ua } = await setUp(t);
  let cancelled = false;
  ua.on('invite', (inv) => inv.ring());
  ua.on('cancel', () => (cancelled = true));
  const { txnId, outcome } = inviteFrom(owner, ua.contactUri);
  await sipByStackId(other).cancel(await within(txnId, 5000, 'the INVITE goes out'));
  t.equal((await within(outcome, 5000, 'its final response')).status, 487, 'the owner sees 487');
  t.ok(cancelled, 'the UA got the CANCEL');
});

t.test("another app's BYE ends a dialog it never made", async (t) => {
  const { owner, other, ua } = await setUp(t);
  const answered = new Promise<Dialog>((resolve) =>
    ua.on('invite', (inv) => void inv.answer(SDP).then(resolve)),
  );
  const { outcome } = inviteFrom(owner, ua.contactUri);
  const { dialog } = await within(outcome, 5000, 'the UA answers');
  const uaDialog = await answered;
  await sipByStackId(other).bye((dialog as unknown as { id: string }).id);
  await ua.waitForBye(uaDialog, 5000);
  t.pass('the UA got the BYE');
});
