// Unit tests of the watchdog's polling cost (manual clock, scripted session): calls whose
// legs flow steadily are queried once per flowingPollMs, yet a stop is found lossMs after
// the last packet, not one poll period later; a new leg and a resumed one are polled soon.
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { MediaSession } from '../../media/media-session';
import { MediaWatchdog } from '../../media/media-watchdog';
import type { NgReply, NgTag } from '../../media/ng-types';
import { ManualClock } from '../fixtures/manual-clock';

/** rtpengine as far as the watchdog sees it: per tag, the packets counted at a time. */
class CountingSession extends EventEmitter {
  queries = 0;
  expecting = true;
  constructor(
    readonly callId: string,
    private readonly clock: ManualClock,
    private readonly packetsAt: (tag: string, ms: number) => number,
  ) {
    super();
  }
  expectsMediaFrom(): boolean {
    return this.expecting;
  }
  async query(): Promise<NgReply> {
    this.queries++;
    const now = this.clock.now();
    const tag = (name: string): NgTag => ({
      tag: name,
      medias: [
        {
          index: 1,
          type: 'audio',
          streams: [
            { flags: ['RTP'], stats: { packets: this.packetsAt(name, now), bytes: 0, errors: 0 } },
          ],
        },
      ],
    });
    return { result: 'ok', tags: { agent: tag('agent'), customer: tag('customer') } };
  }
}

/** 20 ms packets until `stop`. */
const until = (stop: number) => (ms: number) => Math.floor(Math.min(ms, stop) / 20);

async function run(clock: ManualClock, untilMs: number): Promise<void> {
  while (clock.now() < untilMs) await clock.advanceAsync(10);
}

t.test(
  'steady calls: one query per call per flowingPollMs; a stop found lossMs after the last packet',
  async (t) => {
    const clock = new ManualClock(0);
    const wd = new MediaWatchdog({ lossMs: 2000, pollMs: 100, clock });
    t.equal(wd.periods.flowingMs, 1000, 'flowingPollMs defaults to lossMs / 2');
    const lost: { callId: string; at: number }[] = [];
    wd.on('lost', (e) => lost.push({ callId: e.callId, at: e.at }));
    const sessions: CountingSession[] = [];
    const stops = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const stop = i % 4 === 0 ? 12_000 + i * 97 : Infinity;
      const s = new CountingSession(`c${i}`, clock, (tag, ms) =>
        until(tag === 'agent' ? stop : Infinity)(ms),
      );
      if (stop !== Infinity) stops.set(s.callId, stop);
      sessions.push(s);
      wd.watch(s as unknown as MediaSession, 'agent');
      wd.watch(s as unknown as MediaSession, 'customer');
    }
    await run(clock, 10_000);
    const queries = sessions.reduce((n, s) => n + s.queries, 0);
    // Fast until the first packet, every 250 ms (lossMs / 8) until the rate is learnt (4
    // intervals), then one a second.
    t.equal(wd.periods.unsteadyMs, 250, 'unsteadyPollMs defaults to lossMs / 8');
    t.ok(
      queries <= 20 * 15,
      `${queries} queries for 20 calls in 10 s (fixed 100 ms polling: 2000)`,
    );
    await run(clock, 20_000);
    t.equal(lost.length, stops.size, 'every stopped agent lost, nobody else');
    for (const { callId, at } of lost) {
      const lastPacket = Math.floor(stops.get(callId)! / 20) * 20;
      const late = at - (lastPacket + 2000);
      t.ok(
        late >= 0 && late <= 100,
        `${callId}: lost ${Math.round(late)} ms after lossMs of silence`,
      );
    }
    wd.close();
  },
);

t.test(
  'a leg watched on a sparsely polled call, and a leg whose hold ends, are polled soon',
  async (t) => {
    const clock = new ManualClock(0);
    const wd = new MediaWatchdog({ lossMs: 2000, pollMs: 100, clock });
    const s = new CountingSession('c1', clock, (_tag, ms) => until(Infinity)(ms));
    const session = s as unknown as MediaSession;
    wd.watch(session, 'customer');
    await run(clock, 3050);
    const before = s.queries;
    wd.watch(session, 'agent');
    await run(clock, 3200);
    t.ok(s.queries > before, 'queried within 150 ms of the new watch');
    t.equal(wd.state('c1', 'agent'), 'flowing');

    s.expecting = false;
    s.emit('direction', 'agent');
    t.equal(wd.state('c1', 'agent'), 'suspended');
    await run(clock, 5000);
    s.expecting = true;
    const resumed = s.queries;
    s.emit('direction', 'agent');
    await run(clock, 5150);
    t.ok(s.queries > resumed, 'queried within 150 ms of the hold ending');
    wd.close();
  },
);
