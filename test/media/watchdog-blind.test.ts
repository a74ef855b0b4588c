// Unit tests of the watchdog's decisions with the manual clock and a scripted session: no
// loss is declared from a stretch it could not observe (rtpengine frozen: queries time out
// or answer late), a real loss is still found afterwards, and each watch's listener gets
// its own leg's events.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { RtpengineError } from '../../media/errors';
import type { MediaSession } from '../../media/media-session';
import { MediaWatchdog } from '../../media/media-watchdog';
import type { NgReply, NgTag } from '../../media/ng-types';
import { ManualClock } from '../fixtures/manual-clock';

const TIMEOUT_MS = 2000;

/**
 * A session whose rtpengine is scripted: packetsAt(tag, ms) is what it has counted at a
 * time; between frozenFrom and frozenUntil it answers nothing (a query sent then times
 * out after 2 s, or is answered when rtpengine resumes, with the counts it had).
 */
class ScriptedSession extends EventEmitter {
  frozenFrom = Infinity;
  frozenUntil = Infinity;
  goneAt = Infinity;
  constructor(
    readonly callId: string,
    private readonly clock: ManualClock,
    private readonly packetsAt: (tag: string, ms: number) => number,
  ) {
    super();
  }

  expectsMediaFrom(): boolean {
    return true;
  }

  query(): Promise<NgReply> {
    const sent = this.clock.now();
    const reply = (at: number): NgReply => {
      if (at >= this.goneAt)
        throw new RtpengineError('gone', 'query', this.callId, 'Unknown call-id', 'refused');
      const count = (tag: string): NgTag => ({
        tag,
        medias: [
          {
            index: 1,
            type: 'audio',
            streams: [
              { flags: ['RTP'], stats: { packets: this.packetsAt(tag, at), bytes: 0, errors: 0 } },
            ],
          },
        ],
      });
      return { result: 'ok', tags: { agent: count('agent'), customer: count('customer') } };
    };
    const frozen = sent >= this.frozenFrom && sent < this.frozenUntil;
    if (!frozen) return Promise.resolve().then(() => reply(sent));
    return new Promise((resolve, reject) => {
      const answerIn = this.frozenUntil - sent;
      if (answerIn < TIMEOUT_MS) {
        // Answered on resume, with what rtpengine had when it froze.
        this.clock.after(answerIn, () => resolve(reply(this.frozenFrom)));
      } else {
        this.clock.after(TIMEOUT_MS, () =>
          reject(new RtpengineError('timeout', 'query', this.callId, undefined, 'timeout')),
        );
      }
    });
  }
}

/** 50 packets/s from `from`, none from `stop` on (until `resume`, if given). */
const steady =
  (stop = Infinity, resume = Infinity) =>
  (_tag: string, ms: number) =>
    Math.floor(Math.min(ms, stop) / 20) + (ms >= resume ? Math.floor((ms - resume) / 20) + 1 : 0);

function setup(packetsAt: (tag: string, ms: number) => number) {
  const clock = new ManualClock(0);
  const wd = new MediaWatchdog({ lossMs: 1000, pollMs: 100, clock });
  const session = new ScriptedSession('c1', clock, packetsAt);
  const events: { type: string; tag: string; at: number }[] = [];
  wd.on('lost', (e) => events.push({ type: 'lost', tag: e.tag, at: e.at }));
  wd.on('restored', (e) => events.push({ type: 'restored', tag: e.tag, at: e.at }));
  return { clock, wd, session, events, s: session as unknown as MediaSession };
}

async function run(clock: ManualClock, untilMs: number): Promise<void> {
  while (clock.now() < untilMs) await clock.advanceAsync(20);
}

t.test('rtpengine frozen for 7 s while the leg sends: no loss', async (t) => {
  // Frozen 2 s → 9 s: it counts nothing meanwhile (its last count, 90, came before the last
  // polls saw it); packets are counted again from 9.3 s.
  const { clock, wd, session, events, s } = setup((_tag, ms) =>
    ms < 1800 ? Math.floor(ms / 20) : ms < 9300 ? 90 : 90 + Math.floor((ms - 9300) / 20),
  );
  session.frozenFrom = 2000;
  session.frozenUntil = 9000;
  wd.watch(s, 'agent');
  await run(clock, 15_000);
  t.same(events, [], 'no lost, no restored');
  t.equal(wd.state('c1', 'agent'), 'flowing');
  t.ok(wd.failedQueries >= 3, `queries timed out meanwhile (${wd.failedQueries})`);
  wd.close();
});

t.test('a query answered late (1.9 s, under the timeout) is not evidence', async (t) => {
  const { clock, wd, session, events, s } = setup((_tag, ms) =>
    ms < 2000 ? Math.floor(ms / 20) : ms < 4100 ? 100 : 100 + Math.floor((ms - 4100) / 20),
  );
  session.frozenFrom = 2000;
  session.frozenUntil = 3900;
  wd.watch(s, 'agent');
  await run(clock, 8000);
  t.same(events, []);
  t.ok(wd.lateQueries >= 1, 'the late answer was set aside');
  wd.close();
});

t.test('silent from the moment rtpengine answers again: stalled, lossMs after it', async (t) => {
  // Nothing counted after the freeze (2 s → 9 s): what rtpengine 10.5 does to a socket
  // that queued too much meanwhile. Not the agent's doing: 'stalled', never 'lost'.
  const { clock, wd, session, events, s } = setup(steady(1800));
  const stalled: { tag: string; at: number }[] = [];
  wd.on('stalled', (e) => stalled.push({ tag: e.tag, at: e.at }));
  const heard: string[] = [];
  session.frozenFrom = 2000;
  session.frozenUntil = 9000;
  wd.watch(s, 'agent', { stalled: (e) => heard.push(`stalled ${e.tag}`) });
  await run(clock, 12_000);
  t.same(events, [], 'no lost');
  t.equal(stalled.length, 1);
  t.ok(stalled[0].at >= 10_000 && stalled[0].at <= 10_300, `stalled at ${stalled[0].at}`);
  t.same(heard, ['stalled agent'], 'the watch listener is told');
  t.equal(wd.state('c1', 'agent'), 'stalled');
  wd.close();
});

t.test('a loss well after the blind stretch is a loss', async (t) => {
  const { clock, wd, session, events, s } = setup(steady(12_000));
  session.frozenFrom = 2000;
  session.frozenUntil = 9000;
  wd.watch(s, 'agent');
  await run(clock, 14_000);
  t.equal(events.length, 1);
  t.match(events[0], { type: 'lost', tag: 'agent' });
  t.ok(events[0].at >= 13_000 && events[0].at <= 13_300, `lost at ${events[0].at}`);
  wd.close();
});

t.test('per-watch listeners: each leg its own events; unwatch; replaced listener', async (t) => {
  const { clock, wd, session, s } = setup((tag, ms) =>
    tag === 'agent' ? steady(1000, 4000)(tag, ms) : steady()(tag, ms),
  );
  const agent: string[] = [];
  const customer: string[] = [];
  const handle = wd.watch(s, 'agent', {
    lost: (e) => agent.push(`lost ${e.tag} ${e.silentForMs >= 1000}`),
    restored: (e) => agent.push(`restored ${e.tag}`),
    gone: (e) => agent.push(`gone ${e.tag} ${e.error.message}`),
  });
  const cust = wd.watch(s, 'customer', {
    lost: () => customer.push('lost'),
    gone: (e) => customer.push(`gone ${e.tag}`),
  });
  t.equal(handle.state, 'starting');
  await run(clock, 3000);
  t.same(agent, ['lost agent true']);
  t.equal(handle.state, 'lost');
  await run(clock, 4500);
  t.same(agent, ['lost agent true', 'restored agent']);
  t.same(customer, [], "the customer's listener heard nothing of the agent");

  // Watching a leg again replaces its listener; the old handle no longer unwatches it.
  const replaced: string[] = [];
  const again = wd.watch(s, 'agent', { gone: (e) => replaced.push(`gone ${e.tag}`) });
  handle.unwatch();
  t.equal(again.state, 'flowing', 'still watched');
  t.equal(handle.state, undefined, 'the old handle is spent');

  cust.unwatch();
  t.equal(wd.state('c1', 'customer'), undefined);
  session.goneAt = clock.now();
  const gone: string[] = [];
  wd.on('gone', (e) => gone.push(e.callId));
  await run(clock, clock.now() + 300);
  t.same(replaced, ['gone agent'], 'gone reaches the current listener');
  t.same(customer, [], 'not an unwatched one');
  t.same(agent, ['lost agent true', 'restored agent'], 'nor a replaced one');
  t.same(gone, ['c1'], 'the global event still fires');
  t.equal(wd.watchedCalls, 0);
  wd.close();
});

t.test('a listener that throws does not cost another leg its event', async (t) => {
  const { clock, wd, s } = setup(steady(500));
  const heard: string[] = [];
  wd.watch(s, 'agent', {
    lost: () => {
      throw new Error('listener bug');
    },
  });
  wd.watch(s, 'customer', { lost: (e) => heard.push(e.tag) });
  await run(clock, 3000);
  t.same(heard, ['customer']);
  wd.close();
});
