// A fuzz campaign against one target: per transport, `count` mutated messages generated
// from the seed, sent at a bounded rate, with the target's oracles checked every batch:
// problems it reports (error logs, crashes, messages the app could not parse), INVITEs left
// without a final response, and a well-behaved call run alongside that must keep working.
// A failure names the seed, transport and index and carries the messages sent since the
// last clean check; `pinpoint` replays those one by one to find the one that does it.
import { FuzzPeer } from './fuzz-peer';
import { mutate } from './mutations';
import { Prng } from './prng';
import { buildTemplate, type FuzzProto, type TemplateName } from './templates';

export interface FuzzTarget {
  name: string;
  sip: Partial<Record<FuzzProto, { host: string; port: number }>>;
  /** Problems seen since the last call (error logs, uncaught exceptions, parse failures). */
  drainProblems(): string[];
  /** A well-behaved call (or check of one) through the target; rejects with the reason. */
  goodCall(proto: FuzzProto): Promise<void>;
  /** Anything else that must hold (rtpengine answers, HTTP health), or a problem. */
  health(): Promise<string | undefined>;
}

export interface CampaignOptions {
  seed: number;
  /** Messages per transport. */
  count: number;
  transports: FuzzProto[];
  /** Messages per second, per transport. */
  rate: number;
  /** An INVITE with a provisional but no final response after this long is a problem. */
  inviteHangMs: number;
  log?: (line: string) => void;
}

export interface SentMessage {
  proto: FuzzProto;
  index: number;
  template: TemplateName;
  applied: string[];
  bytes: Buffer;
}

export interface Failure {
  problem: string;
  /** Messages sent since the last clean check (the culprit is among them). */
  window: SentMessage[];
  culprit?: SentMessage;
}

export interface CampaignReport {
  seed: number;
  sent: Partial<Record<FuzzProto, number>>;
  /** Responses the fuzzer got, by transport and status (what the mutations ran into). */
  statuses: Partial<Record<FuzzProto, Record<number, number>>>;
  reconnects: Partial<Record<FuzzProto, number>>;
  /** The first message that drew each final status code (to see what reached what). */
  examples: Record<number, SentMessage>;
  goodCalls: number;
  failures: Failure[];
  durationMs: number;
}

const TEMPLATES: Array<[TemplateName, number]> = [
  ['invite', 6],
  ['register', 2],
  ['options', 2],
  ['bye', 1],
  ['info', 1],
  ['message', 1],
  ['subscribe', 1],
  ['inDialog', 5],
  ['response', 1],
];
const PROTO_OFFSET: Record<FuzzProto, number> = { udp: 0, tcp: 10_000_000, ws: 20_000_000 };
const BATCH = 20;

/** Message `index` of the campaign on `proto`, from the seed alone (plus live dialogs). */
export function generate(
  seed: number,
  proto: FuzzProto,
  index: number,
  peer: FuzzPeer,
  server: string,
): SentMessage {
  const rng = Prng.forMessage(seed, PROTO_OFFSET[proto] + index);
  let template = rng.weighted(TEMPLATES);
  const dialog = peer.dialogs.length ? peer.dialogs[rng.int(peer.dialogs.length)] : undefined;
  if (template === 'inDialog' && !dialog) template = 'invite';
  const draft = buildTemplate(template, rng, { proto, server, local: peer.local, dialog });
  // Dialog makers: a share of INVITEs stays valid so there are dialogs to fuzz inside.
  if (template === 'invite' && rng.chance(0.25)) {
    const bytes = Buffer.from(
      [draft.start.join(' '), ...draft.headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n') +
        `\r\nContent-Length: ${draft.body.length}\r\n\r\n`,
    );
    return {
      proto,
      index,
      template,
      applied: ['none (dialog maker)'],
      bytes: Buffer.concat([bytes, draft.body]),
    };
  }
  const { bytes, applied } = mutate(draft, rng);
  return { proto, index, template, applied, bytes };
}

export async function runCampaign(target: FuzzTarget, o: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const report: CampaignReport = {
    seed: o.seed,
    sent: {},
    statuses: {},
    reconnects: {},
    examples: {},
    goodCalls: 0,
    failures: [],
    durationMs: 0,
  };
  const log = o.log ?? (() => undefined);
  for (const proto of o.transports) {
    const addr = target.sip[proto];
    if (!addr) continue;
    const peer = await FuzzPeer.open(proto, addr);
    const server = `${addr.host}:${addr.port}`;
    let window: SentMessage[] = [];
    const invites = new Map<string, SentMessage>();
    const byCallId = new Map<string, SentMessage>();
    peer.onResponse = (res) => {
      const status = res.status ?? 0;
      const msg = byCallId.get(res.callId);
      if (status >= 200 && msg && !report.examples[status]) report.examples[status] = msg;
    };
    // The good call runs next to the fuzzing, again and again, and must always complete.
    let fuzzing = true;
    const goodCalls = (async () => {
      while (fuzzing) {
        const during = window;
        try {
          await target.goodCall(proto);
          report.goodCalls++;
          await new Promise((r) => setTimeout(r, 100));
        } catch (err) {
          await new Promise((r) => setTimeout(r, 1000));
          report.failures.push({
            problem: `good call over ${proto}: ${(err as Error).message}`,
            window: during,
          });
        }
      }
    })();
    const check = async (final: boolean) => {
      const problems = target.drainProblems();
      const hung = [...peer.stats.pendingInvites].filter(
        ([, p]) => Date.now() - p.at > o.inviteHangMs,
      );
      for (const [key] of hung) {
        peer.stats.pendingInvites.delete(key);
        const culprit = invites.get(key.split('|')[0]);
        problems.push(
          `INVITE ${key} got a provisional response but no final one in ${o.inviteHangMs} ms`,
        );
        if (culprit) report.failures.push({ problem: problems.pop()!, window: [culprit], culprit });
      }
      const health = await target.health();
      if (health) problems.push(health);
      for (const problem of problems) report.failures.push({ problem, window });
      if (problems.length || final || window.length > 200) window = [];
    };
    const interval = (1000 * BATCH) / o.rate;
    for (let i = 0; i < o.count; i++) {
      const msg = generate(o.seed, proto, i, peer, server);
      window.push(msg);
      const callId = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(msg.bytes.toString('latin1'))?.[1];
      if (callId) {
        byCallId.set(callId, msg);
        if (byCallId.size > 5000) byCallId.delete(byCallId.keys().next().value as string);
        if (msg.template === 'invite' || msg.template === 'inDialog') invites.set(callId, msg);
        if (invites.size > 5000) invites.delete(invites.keys().next().value as string);
      }
      await peer.send(msg.bytes);
      if ((i + 1) % BATCH === 0) {
        await new Promise((r) => setTimeout(r, interval));
        await check(false);
        if ((i + 1) % 500 === 0)
          log(`${proto}: ${i + 1}/${o.count} sent, ${report.failures.length} failures`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    await check(true);
    fuzzing = false;
    await goodCalls;
    report.sent[proto] = peer.stats.sent;
    report.statuses[proto] = peer.stats.statuses;
    report.reconnects[proto] = peer.stats.reconnects;
    await peer.close();
  }
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * Replays a failure's window on its own, halving it while a half still reproduces a
 * problem, down to the one message that does it (or undefined when only a combination
 * reproduces it, or nothing does).
 */
export async function pinpoint(
  target: FuzzTarget,
  failure: Failure,
): Promise<SentMessage | undefined> {
  if (failure.culprit) return failure.culprit;
  let suspects = failure.window;
  target.drainProblems();
  if (!(await reproduces(target, suspects))) return undefined;
  while (suspects.length > 1) {
    const half = suspects.slice(0, Math.ceil(suspects.length / 2));
    const rest = suspects.slice(half.length);
    if (await reproduces(target, half)) suspects = half;
    else if (await reproduces(target, rest)) suspects = rest;
    else return undefined;
  }
  return (failure.culprit = suspects[0]);
}

async function reproduces(target: FuzzTarget, messages: SentMessage[]): Promise<boolean> {
  const peers = new Map<FuzzProto, FuzzPeer>();
  for (const msg of messages) {
    const addr = target.sip[msg.proto];
    if (!addr) continue;
    let peer = peers.get(msg.proto);
    if (!peer) peers.set(msg.proto, (peer = await FuzzPeer.open(msg.proto, addr)));
    // Fresh branch and Call-ID: the original may still be a live transaction.
    await peer.send(freshIds(msg.bytes));
  }
  await new Promise((r) => setTimeout(r, 400));
  const problems = target.drainProblems();
  const health = await target.health();
  for (const peer of peers.values()) await peer.close();
  return problems.length > 0 || health !== undefined;
}

/** The first failure of each kind (a systematic bug fails many batches the same way). */
export function distinctFailures(failures: Failure[]): Failure[] {
  const seen = new Set<string>();
  return failures.filter((f) => {
    const kind = f.problem.slice(0, 48).replace(/[0-9a-f]{6,}|\d+/g, '#');
    if (seen.has(kind)) return false;
    seen.add(kind);
    return true;
  });
}

/** The message with its branch and Call-ID hex replaced (same lengths, so nothing shifts). */
function freshIds(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const hex = (n: number) =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
  const out = text
    .replace(/(branch=z9hG4bK)([0-9a-f]+)/g, (_m, p: string, h: string) => p + hex(h.length))
    .replace(/([0-9a-f]{16})(@fuzz\.invalid)/g, (_m, h: string, s: string) => hex(h.length) + s);
  return Buffer.from(out, 'latin1');
}

/** One failure as text: the problem, where it happened, and the message as a JSON string. */
export function describeFailure(seed: number, f: Failure): string {
  const lines = [`problem: ${f.problem}`];
  const m = f.culprit;
  if (m) {
    lines.push(
      `message: seed ${seed}, ${m.proto} #${m.index} (${m.template}; ${m.applied.join(', ')})`,
      `reproduce: npm run fuzz -- --seed ${seed} --transports ${m.proto} --count ${m.index + 1}`,
      `bytes: ${JSON.stringify(m.bytes.toString('latin1'))}`,
    );
  } else if (f.window.length) {
    const first = f.window[0];
    const last = f.window[f.window.length - 1];
    lines.push(
      `among: seed ${seed}, ${first.proto} #${first.index}..#${last.index} (not reproduced alone)`,
    );
  }
  return lines.join('\n  ');
}
