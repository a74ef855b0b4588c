// The gateway's deadlines (reconnect window, presence timeout, ring timeout, maximum wait)
// run on node-schedule: jobs at a wall-clock Date, so now() is wall-clock time too.
import schedule from 'node-schedule';
import type { Clock } from '../../time/clock';

export const nodeScheduleClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const job = schedule.scheduleJob(new Date(Date.now() + Math.max(1, ms)), fn);
    // node-schedule returns null for a date in the past: run it on the next tick instead.
    if (!job) {
      const t = setTimeout(fn, 0);
      return { cancel: () => clearTimeout(t) };
    }
    return { cancel: () => job.cancel() };
  },
};
