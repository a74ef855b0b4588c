// The soak's knobs, from the command line: `npm run soak -- --calls 2000 --minutes 10`.
export interface SoakOptions {
  /** Stop launching after this many calls … */
  calls: number;
  /** … or after this many minutes, whichever comes first. */
  minutes: number;
  /** New calls per second (at most). */
  rate: number;
  /** Calls in progress at most. */
  concurrency: number;
  /** Agents (half over WebSocket); default: 4/5 of concurrency (some calls queue), at least 6. */
  agents: number;
  /** Share of customers whose SIP and RTP go through a lossy relay, and its loss. */
  lossyShare: number;
  loss: number;
  /** How many times the private rtpengine is killed, and the SIP server restarted. */
  rtpengineKills: number;
  sipserverRestarts: number;
  /** Calls run (then let settle) before the RSS and descriptor baseline is taken. */
  warmupCalls: number;
  /** Share of talking customers that must hear their agent's tone. */
  heardShare: number;
  /** Seconds between progress lines. */
  progressS: number;
  /** The gateway's and SIP server's logs go here (nothing when unset). */
  logDir?: string;
  /** Quiet: no progress lines (the tap test). */
  quiet: boolean;
}

export const DEFAULTS: SoakOptions = {
  calls: 10_000,
  minutes: 30,
  rate: 6,
  concurrency: 40,
  agents: 0,
  lossyShare: 0.2,
  loss: 0.05,
  rtpengineKills: 3,
  sipserverRestarts: 3,
  warmupCalls: 0,
  heardShare: 0.9,
  progressS: 10,
  quiet: false,
};

const NUMERIC: (keyof SoakOptions)[] = [
  'calls',
  'minutes',
  'rate',
  'concurrency',
  'agents',
  'lossyShare',
  'loss',
  'rtpengineKills',
  'sipserverRestarts',
  'warmupCalls',
  'heardShare',
  'progressS',
];

const flagOf = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const SOAK_USAGE = `usage: npm run soak -- [--calls N] [--minutes M] [--rate R] [--concurrency C]
  [--agents A] [--lossy-share S] [--loss L] [--rtpengine-kills K] [--sipserver-restarts K]
  [--warmup-calls W] [--heard-share H] [--progress-s S] [--log-dir DIR]
defaults: ${NUMERIC.map((k) => `--${flagOf(k)} ${DEFAULTS[k] as number}`).join(' ')}
(--agents 0: 4/5 of the concurrency; --warmup-calls 0: a tenth of the calls, at most 500)`;

export function parseSoakArgs(argv: string[]): SoakOptions {
  const o: SoakOptions = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--log-dir') {
      o.logDir = argv[++i];
      continue;
    }
    const key = NUMERIC.find((k) => `--${flagOf(k)}` === a);
    if (!key) throw new Error(`unknown option ${a}\n${SOAK_USAGE}`);
    const v = Number(argv[++i]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number ≥ 0\n${SOAK_USAGE}`);
    (o[key] as number) = v;
  }
  return resolveDefaults(o);
}

export function resolveDefaults(o: SoakOptions): SoakOptions {
  if (o.calls < 1 || o.minutes <= 0 || o.rate <= 0 || o.concurrency < 1)
    throw new Error('--calls, --minutes, --rate and --concurrency must be positive');
  if (o.loss > 1 || o.lossyShare > 1 || o.heardShare > 1)
    throw new Error('--loss, --lossy-share and --heard-share are shares (0..1)');
  return {
    ...o,
    agents: o.agents || Math.max(6, Math.round(o.concurrency * 0.8)),
    warmupCalls: o.warmupCalls || Math.min(500, Math.max(10, Math.round(o.calls / 10))),
  };
}
