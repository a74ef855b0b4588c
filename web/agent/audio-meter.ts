// A level meter on a MediaStream (Web Audio AnalyserNode), for each direction of the call:
// the microphone (what the agent sends) and the remote stream (what the agent hears).
// toneShare() measures how much of what arrives is one frequency: the page's own check
// that audio really flows, which the browser tests read too.

export interface ToneMeasure {
  /** Mean share (0–1) of the energy at the frequency over the measured blocks. */
  share: number;
  /** Mean RMS level in dBFS. */
  levelDb: number;
  blocks: number;
}

export class AudioMeter {
  private source?: MediaStreamAudioSourceNode;
  private readonly analyser: AnalyserNode;
  private readonly buf: Float32Array<ArrayBuffer>;

  constructor(private readonly ctx: AudioContext) {
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.buf = new Float32Array(this.analyser.fftSize);
  }

  attach(stream: MediaStream | undefined): void {
    this.source?.disconnect();
    this.source = undefined;
    if (!stream || !stream.getAudioTracks().length) return;
    this.source = this.ctx.createMediaStreamSource(stream);
    this.source.connect(this.analyser);
  }

  get attached(): boolean {
    return this.source !== undefined;
  }

  /** RMS level of the latest block, in dBFS (−100 when silent or detached). */
  levelDb(): number {
    if (!this.source) return -100;
    this.analyser.getFloatTimeDomainData(this.buf);
    return toDb(rms(this.buf));
  }

  /** The share of the latest block's energy at `freqHz` (Goertzel). */
  toneShareNow(freqHz: number): number {
    if (!this.source) return 0;
    this.analyser.getFloatTimeDomainData(this.buf);
    return goertzelShare(this.buf, freqHz, this.ctx.sampleRate);
  }

  /** Averages the tone share and level over `ms`, one block every 50 ms. */
  async measureTone(freqHz: number, ms: number): Promise<ToneMeasure> {
    let share = 0;
    let level = 0;
    let blocks = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      share += this.toneShareNow(freqHz);
      level += this.levelDb();
      blocks++;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { share: blocks ? share / blocks : 0, levelDb: blocks ? level / blocks : -100, blocks };
  }

  /**
   * Resolves with Date.now() once `consecutive` blocks in a row carry `freqHz` above
   * `minShare` (polled every 10 ms); rejects after timeoutMs.
   */
  waitForTone(
    freqHz: number,
    opts: { minShare?: number; consecutive?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const minShare = opts.minShare ?? 0.5;
    const consecutive = opts.consecutive ?? 3;
    const until = performance.now() + (opts.timeoutMs ?? 10_000);
    let run = 0;
    let firstAt = 0;
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (this.toneShareNow(freqHz) >= minShare) {
          if (run++ === 0) firstAt = Date.now();
          if (run >= consecutive) return resolve(firstAt);
        } else run = 0;
        if (performance.now() > until) return reject(new Error(`no ${freqHz} Hz tone`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }
}

function rms(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / x.length);
}

function toDb(v: number): number {
  return v > 0 ? Math.max(-100, 20 * Math.log10(v)) : -100;
}

/** Share (0–1) of the block's energy at `freqHz`: |X(f)|² against the block's energy. */
export function goertzelShare(x: Float32Array, freqHz: number, sampleRate: number): number {
  const n = x.length;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const s0 = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x[i] * x[i];
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy > 1e-12 ? Math.min(1, (2 * power) / (n * energy)) : 0;
}
