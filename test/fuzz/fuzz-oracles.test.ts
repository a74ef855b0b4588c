// The fuzzer itself must be able to fail: against a toy UDP target with planted bugs (it
// "crashes" on a message with two Max-Forwards headers and leaves INVITEs without a From
// tag unanswered after 100 Trying), a short campaign reports both, each pinned to a
// message that has the planted property.
import { createSocket } from 'node:dgram';
import t from 'tap';
import { parseMessage } from '../helpers/sip-message';
import {
  describeFailure,
  distinctFailures,
  pinpoint,
  runCampaign,
  type FuzzTarget,
} from './fuzz-campaign';

t.test('a campaign finds and pins planted bugs', async (t) => {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => sock.close());
  const problems: string[] = [];
  sock.on('message', (data, from) => {
    const text = data.toString('latin1');
    if ((text.match(/^max-forwards[ \t]*:/gim) ?? []).length > 1) problems.push('planted crash');
    let msg;
    try {
      msg = parseMessage(data);
    } catch {
      return;
    }
    if (!msg.isRequest || msg.method === 'ACK') return;
    const reply = (status: string) => {
      const lines = [`SIP/2.0 ${status}`, ...msg.getAll('via').map((v) => `Via: ${v}`)];
      lines.push(`From: ${msg.get('from')}`, `To: ${msg.get('to')};tag=toy`);
      lines.push(`Call-ID: ${msg.callId}`, `CSeq: ${msg.get('cseq')}`, 'Content-Length: 0', '', '');
      sock.send(lines.join('\r\n'), from.port, from.address);
    };
    if (msg.method !== 'INVITE') return reply('200 OK');
    reply('100 Trying');
    if (msg.fromTag) reply('486 Busy Here');
  });
  const target: FuzzTarget = {
    name: 'toy',
    sip: { udp: { host: '127.0.0.1', port: sock.address().port } },
    drainProblems: () => problems.splice(0),
    goodCall: () => new Promise((r) => setTimeout(r, 200)),
    health: async () => undefined,
  };
  const report = await runCampaign(target, {
    seed: 7,
    count: 600,
    transports: ['udp'],
    rate: 2000,
    inviteHangMs: 300,
  });
  const failures = distinctFailures(report.failures);
  for (const f of failures) await pinpoint(target, f);
  const crash = failures.find((f) => f.problem === 'planted crash');
  const hung = failures.find((f) => /no final one/.test(f.problem));
  t.ok(crash?.culprit, 'the planted crash is found and pinned to one message');
  t.match(crash?.culprit?.bytes.toString('latin1'), /max-forwards[^]*max-forwards/i);
  t.ok(hung?.culprit, 'the hung INVITE is found and pinned');
  t.notMatch(hung?.culprit?.bytes.toString('latin1') ?? 'tag=', /^(from|f)[ \t]*:.*;\s*tag=\w/im);
  t.match(describeFailure(7, crash!), /reproduce: npm run fuzz -- --seed 7 --transports udp/);
});
