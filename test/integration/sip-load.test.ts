// Load: 200 SIPp calls over UDP and 200 over TCP through a createB2BUA app, 0 failures.
import t from 'tap';
import { connectApp, installB2bua } from '../helpers/sip-app';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

const CALLS = 200;
const RATE = 100; // calls per second: quick, and well under what the bench sustains

let server: SipServerUnderTest;
t.before(async () => {
  server = await sipServerForTest(t);
});

for (const proto of ['udp', 'tcp'] as const) {
  t.test(`${CALLS} calls over ${proto} through createB2BUA`, async (t) => {
    const srf = await connectApp(t, server);
    const addr = server.sip[proto]!;
    const uas = await startSipp(t, {
      scenario: 'uas-basic.xml',
      transport: proto,
      calls: CALLS,
      timeoutMs: 60_000,
    });
    const tp = proto === 'tcp' ? ';transport=tcp' : '';
    const app = await installB2bua(
      srf,
      (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}${tp}`,
    );
    const uac = await startSipp(t, {
      scenario: 'uac-basic.xml',
      transport: proto,
      remote: addr,
      calls: CALLS,
      rate: RATE,
      callDurationMs: 200,
      timeoutMs: 60_000,
    });
    const [c, s] = await Promise.all([uac.done, uas.done]);
    t.equal(c.successful, CALLS, describeSipp(c));
    t.equal(c.failed, 0);
    t.equal(s.successful, CALLS, describeSipp(s));
    t.equal(app.bridged, CALLS, `bridged (errors: ${app.errors.join('; ')})`);
    t.equal(app.failed, 0);
  });
}
