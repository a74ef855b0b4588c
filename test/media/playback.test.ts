// Playback against a real rtpengine: the customer hears the prompt, then the wait music,
// and nothing of the agent (who keeps sending a tone); stop() restores two-way audio.
// What arrives is decoded and compared with the prompt files.
import t, { type Test } from 'tap';
import path from 'node:path';
import { MediaSession } from '../../media/media-session';
import { Playback } from '../../media/playback';
import { validatePrompt } from '../../media/prompt-validator';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { rtpengineForTest, uniqueCallId, type RtpengineForTest } from '../helpers/rtp-engine';
import { readWav } from '../helpers/audio-wav';
import { classify, joinSamples, locate, toneShare } from '../helpers/audio-compare';

const PROMPTS = path.join(__dirname, '..', '..', 'prompts');
const AGENT_TONE = 1000;
const CUSTOMER_TONE = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(t: Test, re: RtpengineForTest) {
  const customer = await RtpEndpoint.open();
  const agent = await RtpEndpoint.open();
  t.teardown(() => Promise.all([customer.close(), agent.close()]));
  const session = new MediaSession(re.client, uniqueCallId());
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'rtp');
  agent.setRemoteFromSdp(await session.offer('cust', customer.sdp(), 'agent'));
  customer.setRemoteFromSdp(await session.answer('agent', agent.sdp(), 'cust'));
  customer.play({ tone: CUSTOMER_TONE });
  agent.play({ tone: AGENT_TONE });
  return { customer, agent, session };
}

t.test('prompt, then music, nothing from the agent; stop restores two-way audio', async (t) => {
  const re = await rtpengineForTest(t);
  const prompt = await validatePrompt(path.join(PROMPTS, 'agent-disconnected.wav'));
  const music = await validatePrompt(path.join(PROMPTS, 'wait-music.wav'));
  const promptPcm = readWav(prompt.path).samples;
  const musicPcm = readWav(music.path).samples;
  const { customer, agent, session } = await call(t, re);
  await customer.waitForPackets(10);

  customer.clear();
  const playback = new Playback(session, { listener: 'cust', absent: 'agent', prompt, music });
  await playback.start();
  t.equal(playback.state, 'prompt');
  await sleep(prompt.durationMs + 2000);
  t.equal(playback.state, 'music');

  const heard = joinSamples(customer.packets());
  t.ok(
    heard.length > (prompt.durationMs + 1500) * 8 * 0.9,
    `customer got ${heard.length / 8} ms of audio`,
  );
  // No 20 ms of the agent's tone anywhere.
  let agentFrames = 0;
  for (let i = 0; i + 160 <= heard.length; i += 160) {
    if (toneShare(heard.subarray(i, i + 160), AGENT_TONE) > 0.5) agentFrames++;
  }
  t.equal(agentFrames, 0, 'the agent is not heard during playback');
  const p = locate(heard, promptPcm, 5000);
  t.ok(p.score > 0.8, `the prompt is heard (correlation ${p.score.toFixed(3)})`);
  t.ok(p.offset >= 0 && p.offset < 8 * 300, `from the start (offset ${p.offset / 8} ms)`);
  const afterPrompt = heard.subarray(p.offset + promptPcm.length);
  const m = locate(afterPrompt, musicPcm, 1000);
  t.ok(m.score > 0.8, `then the music (correlation ${m.score.toFixed(3)})`);
  t.ok(m.offset >= -160 && m.offset < 8 * 300, `right after the prompt (gap ${m.offset / 8} ms)`);
  t.equal(
    classify(
      afterPrompt.subarray(Math.max(0, m.offset), m.offset + 8000),
      [
        { name: 'prompt', samples: promptPcm },
        { name: 'music', samples: musicPcm },
      ],
      [{ name: 'agent', freqHz: AGENT_TONE }],
    ),
    'music',
  );

  await playback.stop();
  await playback.stop(); // idempotent
  t.equal(playback.state, 'stopped');
  await sleep(200); // let in-flight player packets drain
  customer.clear();
  agent.clear();
  await sleep(600);
  const after = joinSamples(customer.packets());
  t.ok(
    toneShare(after, AGENT_TONE) > 0.8,
    `customer hears the agent again (${toneShare(after, AGENT_TONE).toFixed(2)})`,
  );
  t.ok(toneShare(joinSamples(agent.packets()), CUSTOMER_TONE) > 0.8, 'agent hears the customer');
});

t.test('a second prompt replaces the first; music-only for a queued customer', async (t) => {
  const re = await rtpengineForTest(t);
  const first = await validatePrompt(path.join(PROMPTS, 'agent-disconnected.wav'));
  const second = await validatePrompt(path.join(PROMPTS, 'primary-agent-disconnected.wav'));
  const music = await validatePrompt(path.join(PROMPTS, 'wait-music.wav'));
  const { customer, session } = await call(t, re);

  const playback = new Playback(session, {
    listener: 'cust',
    absent: 'agent',
    prompt: first,
    music,
  });
  await playback.start();
  await sleep(500);
  customer.clear();
  await playback.replacePrompt(second);
  await sleep(2500);
  const heard = joinSamples(customer.packets());
  const secondPcm = readWav(second.path).samples;
  const firstPcm = readWav(first.path).samples;
  const s = locate(heard, secondPcm, 2000);
  t.ok(s.score > 0.8, `the second prompt is heard (${s.score.toFixed(3)})`);
  t.ok(s.offset < 8 * 300, `at once (offset ${s.offset / 8} ms)`);
  await playback.stop();

  // A queued customer: no agent leg, music only.
  const queued = await RtpEndpoint.open();
  t.teardown(() => queued.close());
  const alone = new MediaSession(re.client, uniqueCallId('queued'));
  t.teardown(() => alone.close());
  alone.addLeg('cust', 'rtp');
  queued.setRemoteFromSdp(await alone.acceptAlone('cust', queued.sdp()));
  queued.play({ tone: CUSTOMER_TONE });
  const wait = new Playback(alone, { listener: 'cust', music });
  await wait.start();
  t.equal(wait.state, 'music');
  await sleep(1500);
  const m = locate(joinSamples(queued.packets()), readWav(music.path).samples, 1000);
  t.ok(m.score > 0.8, `the queued customer hears the music (${m.score.toFixed(3)})`);
  t.ok(locate(joinSamples(queued.packets()), firstPcm, 1000).score < 0.5, 'and not a prompt');
  await wait.stop();
});

t.test(
  'a prompt rtpengine cannot play is an error naming the file; the block is undone',
  async (t) => {
    const re = await rtpengineForTest(t);
    const { customer, session } = await call(t, re);
    const bogus = { path: '/nonexistent/holdfast/prompt.wav', durationMs: 1000, sampleRate: 8000 };
    const playback = new Playback(session, { listener: 'cust', absent: 'agent', prompt: bogus });
    await t.rejects(playback.start(), {
      name: 'PromptFileError',
      message: /\/nonexistent\/holdfast\/prompt\.wav/,
    });
    await sleep(100);
    customer.clear();
    await sleep(400);
    t.ok(
      toneShare(joinSamples(customer.packets()), AGENT_TONE) > 0.8,
      'the agent is heard: block undone',
    );
  },
);
