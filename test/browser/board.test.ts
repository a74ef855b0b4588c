// The operations board during a real disconnect: two Node agents on calls through the
// embedded SIP server and rtpengine; alice's audio stops (the media watchdog's evidence).
// Read off the board's DOM: the episode appears with its evidence, its countdowns agree
// with the gateway's deadlines and run down; the call and the agent show what happened.
// alice re-INVITEs with new media: the episode leaves the board and is listed as ended,
// back within the window. A screenshot of the board during the episode for the docs.
import t from 'tap';
import { startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Agent, Customer } from '../e2e/fixtures/parties';
import { BoardPage } from './fixtures/board-page';
import { chromiumMissing, launchChromium } from './fixtures/chromium';
import { screenshot } from './fixtures/screenshots';

const WINDOW_MS = 12_000;
const PRESENCE_MS = 40_000;

t.test(
  'a disconnect episode on the board: evidence, countdowns that run, gone after reattach',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
        { id: 'carol', password: 'pw-carol' },
      ],
      { policy: { reconnectWindowMs: WINDOW_MS, presenceTimeoutMs: PRESENCE_MS } },
    );
    const browser = await launchChromium(t);
    const board = await BoardPage.open(t, browser, hf);
    await board.live();
    t.match(await board.row('agent', 'carol'), /offline/, 'the snapshot lists every agent');
    t.match(await board.text('#calls'), /No call in progress/);

    // alice takes the first call, bob the second; carol never logs in.
    const alice = await Agent.open(t, hf, 'alice', { tone: 1200, password: 'pw-alice' });
    const first = await Customer.call(t, hf);
    await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'first call up');
    const call = [...hf.gw.calls.values()][0];
    t.equal(call.agentId, 'alice');
    const bob = await Agent.open(t, hf, 'bob', { tone: 1600, password: 'pw-bob' });
    const second = await Customer.call(t, hf);
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'busy', 'second call with bob');
    t.match(
      await board.waitForText(() => board.row('call', call.id), /connected.*primary alice · up/),
      /customer · up.*primary alice · up/,
      'the call row shows its legs, roles and states',
    );
    t.match(await board.waitForText(() => board.row('agent', 'alice'), /busy/), /busy/);

    // alice's audio stops: media loss after media.lossMs.
    alice.ep.pause();
    await board.waitFor('article.episode[data-agent="alice"]');
    const absence = hf.gw.coordinator.absenceOf('alice');
    t.ok(absence, 'the gateway has the absence');
    const shown = (await board.episode('alice'))!;
    const readAt = Date.now();
    t.equal(shown.evidence, 'media-loss', 'the evidence is shown');
    t.match(shown.text, /within the reconnect window/, 'and the situation');
    t.match(shown.text, new RegExp(`call ${call.id.split('-')[0]} \\(primary\\)`), 'and the call');
    const windowLeft = absence!.deadlinesAt.reconnectWindow - readAt;
    const presenceLeft = absence!.deadlinesAt.presenceTimeout - readAt;
    t.ok(
      Math.abs(shown.reconnectWindowMs - windowLeft) < 600,
      `reconnect window countdown ${shown.reconnectWindowMs} ms ≈ the gateway's ${windowLeft} ms`,
    );
    t.ok(
      Math.abs(shown.presenceTimeoutMs - presenceLeft) < 600,
      `presence countdown ${shown.presenceTimeoutMs} ms ≈ the gateway's ${presenceLeft} ms`,
    );
    t.match(
      await board.waitForText(() => board.row('call', call.id), /agentGone/),
      /agentGone media-loss.*primary alice · gone/,
      'the call is agentGone, its primary leg gone',
    );
    t.match(await board.row('agent', 'alice'), /disconnected/, 'alice is disconnected');
    t.match(await board.row('agent', 'bob'), /busy/, 'bob is not');

    await new Promise((r) => setTimeout(r, 1500));
    const later = (await board.episode('alice'))!;
    const ran = shown.reconnectWindowMs - later.reconnectWindowMs;
    t.ok(ran > 1000 && ran < 2200, `the countdown runs down (${ran} ms in 1.5 s)`);
    t.ok(later.presenceTimeoutMs < shown.presenceTimeoutMs, 'both countdowns do');
    t.ok(later.goneForMs > shown.goneForMs + 1000, 'the elapsed time grows');
    await screenshot(t, board.page, 'board-disconnect-episode.png');

    // alice's desktop is back: new media, a re-INVITE on the same dialog.
    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    await board.waitFor('article.episode[data-agent="alice"]', { gone: true });
    t.match(await board.text('#episodes'), /No agent is disconnected/, 'no episode left');
    t.match(
      await board.text('#ended li[data-agent="alice"]'),
      /alice · no audio from the agent · back within the reconnect window after \d+\.\d s/,
      'the episode is listed as ended, back within the window',
    );
    t.match(
      await board.waitForText(() => board.row('call', call.id), /connected/),
      /connected.*primary alice · up/,
      'the call is connected again, with alice',
    );
    t.match(await board.waitForText(() => board.row('agent', 'alice'), /busy/), /busy/);

    t.equal(await first.hangUp(), 200);
    t.equal(await second.hangUp(), 200);
    await board.waitForText(() => board.text('#calls'), /No call in progress/);
    t.match(await board.text('#calls'), /No call in progress/, 'ended calls leave the board');
    await hf.settled();
    t.ok(bob, 'bob took the second call');
    t.same(board.errors, [], 'no error in the page');
  },
);
