// The SIPp helper and the basic scenarios, SIPp against SIPp with no server in between:
// proves the scenarios are well-formed and the statistics are read back correctly.
import t from 'tap';
import { describeSipp, startSipp } from '../helpers/sipp';

const loopback = (port: number) => ({ host: '127.0.0.1', port });

for (const transport of ['udp', 'tcp'] as const) {
  t.test(`uac-basic → uas-basic over ${transport}: 3 calls, rtt recorded`, async (t) => {
    const uas = await startSipp(t, { scenario: 'uas-basic.xml', transport, calls: 3 });
    const uac = await startSipp(t, {
      scenario: 'uac-basic.xml',
      transport,
      remote: loopback(uas.port),
      calls: 3,
      rate: 20,
      rtt: true,
    });
    const [c, s] = await Promise.all([uac.done, uas.done]);
    t.equal(c.exitCode, 0, describeSipp(c));
    t.equal(c.successful, 3);
    t.equal(c.failed, 0);
    t.equal(s.successful, 3, describeSipp(s));
    t.equal(c.rttMs.length, 3, 'one INVITE→200 sample per call');
  });
}

t.test('uas-hangup → uac-await-bye: BYE from the called side', async (t) => {
  const uas = await startSipp(t, { scenario: 'uas-hangup.xml', calls: 2, callDurationMs: 50 });
  const uac = await startSipp(t, {
    scenario: 'uac-await-bye.xml',
    remote: loopback(uas.port),
    calls: 2,
  });
  const [c, s] = await Promise.all([uac.done, uas.done]);
  t.equal(c.successful, 2, describeSipp(c));
  t.equal(s.successful, 2, describeSipp(s));
});

t.test('a UAC with no one listening fails within its timeout', async (t) => {
  const uac = await startSipp(t, {
    scenario: 'uac-basic.xml',
    remote: loopback(9),
    timeoutMs: 1000,
  });
  const r = await uac.done;
  t.not(r.exitCode, 0, describeSipp(r));
  t.equal(r.successful, 0);
});
