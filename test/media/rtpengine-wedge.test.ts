// What rtpengine 10.5 does to a call's media after it was stopped (SIGSTOP) for 7 s, and
// what brings it back, measured with real RTP. Its receive loop reads at most 50 packets per
// wake-up; a socket found fuller than that 5 times in a row is never read again. 7 s of
// 20 ms packets queue ~350 (the loopback receive buffer holds ~270), so both directions
// stay silent for good. The watchdog calls that 'stalled'; a fresh leg (fresh ports) carries
// media again, a re-offer on the latched customer port does not. If rtpengine ever stops
// behaving so, this test says it: the gateway's re-anchoring rests on it.
import t from 'tap';
import { toneShare, joinSamples } from '../helpers/audio-compare';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { MediaSession } from '../../media/media-session';
import { MediaWatchdog } from '../../media/media-watchdog';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heard(ep: RtpEndpoint, ms = 800): Promise<Int16Array> {
  await sleep(200);
  ep.clear();
  await sleep(ms);
  return joinSamples(ep.packets());
}

t.test(
  'after 7 s stopped, rtpengine 10.5 forwards nothing; a fresh agent leg carries audio again',
  { skip: process.env.RTPENGINE_HOST ? 'needs a private rtpengine to stop' : false },
  async (t) => {
    const re = await rtpengineForTest(t, { supervision: { restart: false } });
    const customer = await RtpEndpoint.open();
    const agent = await RtpEndpoint.open();
    t.teardown(() => Promise.all([customer.close(), agent.close()]));
    const session = new MediaSession(re.client, uniqueCallId('wedge'));
    t.teardown(() => session.close());
    session.addLeg('customer', 'rtp');
    session.addLeg('agent', 'rtp');
    agent.setRemoteFromSdp(await session.offer('customer', customer.sdp(), 'agent'));
    customer.setRemoteFromSdp(await session.answer('agent', agent.sdp(), 'customer'));
    customer.play({ tone: 440 });
    agent.play({ tone: 1000 });
    const wd = new MediaWatchdog({ lossMs: 600, pollMs: 100 });
    t.teardown(() => wd.close());
    const seen: string[] = [];
    for (const tag of ['customer', 'agent'])
      wd.watch(session, tag, {
        lost: () => seen.push(`lost ${tag}`),
        stalled: () => seen.push(`stalled ${tag}`),
      });
    t.ok(toneShare(await heard(customer), 1000) > 0.8, 'before: the customer hears the agent');

    const pid = re.handle.pid!;
    process.kill(pid, 'SIGSTOP');
    let frozen = true;
    t.teardown(() => {
      if (frozen) process.kill(pid, 'SIGCONT');
    });
    await sleep(7000);
    process.kill(pid, 'SIGCONT');
    frozen = false;
    await sleep(500); // the backlog is forwarded
    t.equal((await heard(customer, 1500)).length, 0, 'then the customer hears nothing');
    t.equal((await heard(agent, 500)).length, 0, 'nor does the agent');
    t.same(seen.sort(), ['stalled agent', 'stalled customer'], 'the watchdog: stalled, both');

    // A fresh agent leg, answered by the same endpoint: fresh ports towards the agent.
    agent.setRemoteFromSdp(await session.attach('customer', 'agent-2', 'rtp'));
    await session.answer('agent-2', agent.sdp('sendrecv', 2), 'customer');
    await session.removeLeg('agent');
    t.ok(toneShare(await heard(customer), 1000) > 0.8, 'the customer hears the agent again');
    // The customer's port is latched (kept through agent changes): still not read.
    const reoffer = await session.reofferTo('customer');
    customer.setRemoteFromSdp(
      await session.answer('customer', customer.sdp('sendrecv', 2), 'agent-2'),
    );
    t.match(reoffer, /m=audio \d+/);
    t.equal((await heard(agent, 800)).length, 0, 'a re-offer on the same port does not help');
  },
);
