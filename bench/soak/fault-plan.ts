// The faults that hit the whole gateway rather than one call, spread over the run: the
// private rtpengine killed (SIGKILL; its supervisor must restart it) and the SIP server
// killed and started again (drachtio-srf must reconnect). Each fires when the run's
// progress passes its mark.
import type { Rig } from './soak-rig';

export interface FaultCounts {
  rtpengineKills: number;
  rtpengineRestartsSeen: number;
  sipserverRestarts: number;
  errors: string[];
}

export type GlobalFault = 'rtpengine-kill' | 'sipserver-restart';

export class FaultPlan {
  private readonly marks: { at: number; fault: GlobalFault }[] = [];
  readonly counts: FaultCounts = {
    rtpengineKills: 0,
    rtpengineRestartsSeen: 0,
    sipserverRestarts: 0,
    errors: [],
  };
  private busy?: Promise<void>;

  /**
   * Marks spread over the run after the warm-up, interleaved, in units of its progress
   * (0 = the warm-up is over, 1 = the last call or the time limit, whichever comes first).
   */
  constructor(opts: { rtpengineKills: number; sipserverRestarts: number }) {
    const place = (n: number, fault: GlobalFault, offset: number) => {
      for (let i = 0; i < n; i++) this.marks.push({ at: 0.85 * ((i + offset) / n), fault });
    };
    place(opts.rtpengineKills, 'rtpengine-kill', 0.25);
    place(opts.sipserverRestarts, 'sipserver-restart', 0.7);
    this.marks.sort((a, b) => a.at - b.at);
  }

  /** Fires whatever is due at this progress (one fault at a time). */
  poll(progress: number, rig: Rig, say: (line: string) => void): void {
    if (this.busy || !this.marks.length || this.marks[0].at > progress) return;
    const { fault } = this.marks.shift()!;
    this.busy = (
      fault === 'rtpengine-kill' ? this.killRtpengine(rig, say) : this.restartSipserver(rig, say)
    )
      .catch((err: Error) => {
        this.counts.errors.push(`${fault}: ${err.message}`);
        say(`fault ${fault} failed: ${err.message}`);
      })
      .finally(() => (this.busy = undefined));
  }

  get pending(): number {
    return this.marks.length;
  }

  settled(): Promise<void> {
    return this.busy ?? Promise.resolve();
  }

  private async killRtpengine(rig: Rig, say: (line: string) => void): Promise<void> {
    const before = (await rig.gateway.probe()).rtpenginePid;
    if (!before) throw new Error('no rtpengine pid');
    process.kill(before, 'SIGKILL');
    this.counts.rtpengineKills++;
    say(`fault: rtpengine ${before} killed (SIGKILL)`);
    const until = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const p = await rig.gateway.probe().catch(() => undefined);
      if (p?.rtpenginePid && p.rtpenginePid !== before && p.rtpengineCalls !== null) {
        this.counts.rtpengineRestartsSeen++;
        say(`fault: rtpengine restarted by its supervisor as ${p.rtpenginePid}`);
        return;
      }
      if (Date.now() > until) throw new Error('rtpengine not restarted within 30 s');
    }
  }

  private async restartSipserver(rig: Rig, say: (line: string) => void): Promise<void> {
    await rig.sipserver.restart();
    this.counts.sipserverRestarts++;
    say('fault: SIP server killed (SIGKILL) and started again');
  }
}
