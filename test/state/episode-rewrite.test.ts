// A disconnect episode this instance runs, lost by the store (Redis restarted empty), is
// written again by EpisodeLog.rewrite() with its absolute deadlines; one the store still
// has, or one that is over, is left alone.
import t from 'tap';
import pino from 'pino';
import type { Agent } from '../../gateway/agents/agent';
import type { AgentDirectory } from '../../gateway/agents/agent-directory';
import { EpisodeLog } from '../../gateway/state/episode-log';
import { InProcessSpace, InProcessStore } from '../../gateway/state/in-process-store';
import { ManualClock } from '../fixtures/manual-clock';

const absence = {
  evidence: 'media-loss',
  situation: 'in-call',
  t0: 1000,
  deadlinesAt: { reconnectWindow: 31_000, presenceTimeout: 91_000 },
};

t.test('a running episode the store lost is written again', async (t) => {
  const space = new InProcessSpace();
  const store = new InProcessStore('gw-a', space);
  const absent = new Set(['ann']);
  const log = new EpisodeLog({
    store,
    agents: {} as AgentDirectory,
    absenceOf: (id) => (absent.has(id) ? (absence as never) : undefined),
    callOf: () => 'call-1',
    clock: new ManualClock(),
    log: pino({ level: 'silent' }),
    note: () => {},
  });
  const tick = () => new Promise((r) => setImmediate(r));
  log.statusChanged({ id: 'ann' } as Agent);
  await tick();
  await tick();
  t.match(await store.episode('ann'), { t0: 1000, presenceTimeoutAt: 91_000, owner: 'gw-a' });
  t.equal(await log.rewrite(), 0, 'nothing to do while the store has it');

  space.episodes.clear(); // Redis restarted empty
  t.equal(await log.rewrite(), 1);
  t.match(
    await store.episode('ann'),
    {
      evidence: 'media-loss',
      situation: 'in-call',
      t0: 1000,
      reconnectWindowAt: 31_000,
      presenceTimeoutAt: 91_000,
      callId: 'call-1',
      owner: 'gw-a',
    },
    'with its absolute deadlines',
  );

  absent.delete('ann');
  log.statusChanged({ id: 'ann' } as Agent);
  await tick();
  await tick();
  space.episodes.clear();
  t.equal(await log.rewrite(), 0, 'an episode that is over is not written again');
  t.equal(await store.episode('ann'), undefined);
});
