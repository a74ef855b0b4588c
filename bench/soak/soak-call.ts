// One call of the soak from the customer's side, run to its end by its kind's script. The
// agents report to it (through the driver's hooks) when they answer it; the script decides
// when the agent's desktop drops and when the customer hangs up.
import type { HostPort } from '../../test/helpers/sip-transport';
import type { CallKind } from './call-kinds';
import type { RelayStats } from './lossy-relay';
import { AGENT_TONE, type SoakAgent } from './soak-agent';
import { SoakCustomer } from './soak-customer';

export interface Timing {
  lossMs: number;
  promptMs: number;
  windowMs: number;
  ringTimeoutMs: number;
}

export interface CallEnv {
  sip: HostPort;
  timing: Timing;
  /** This call's customer path loses this share of datagrams (0: direct). */
  loss: number;
  lossStats: RelayStats;
  random: () => number;
}

export type CallEnd =
  | 'hung-up' // the customer's BYE or CANCEL ended it
  | 'ended-by-gateway' // the gateway's BYE (overflow, lost media, an error)
  | 'refused' // a final error response to the INVITE
  | 'no-response' // the INVITE (or BYE) never got an answer
  | 'stuck' // the script's own limit fired
  | 'error';

export interface CallResult {
  key: string;
  kind: CallKind;
  /** The kind as it ran (ws-close on a UDP agent runs as talk). */
  ran: CallKind;
  sipCallId?: string;
  /** Whether the gateway answered the INVITE in any way (a record is owed). */
  reached: boolean;
  end: CallEnd;
  status?: number;
  /** The customer heard the agent's tone while talking (undefined: not checked). */
  heardAgent?: boolean;
  /** A dropped agent came back and the customer heard it again. */
  heardAgain?: boolean;
  lossy: boolean;
  /** How the first agent that answered is reached. */
  agentProto?: 'udp' | 'ws';
  /** Tone share heard while talking (for a post-mortem of heardAgent). */
  share?: number;
  error?: string;
}

const CALL_LIMIT_MS = 90_000;

export class SoakCall {
  readonly customer: SoakCustomer;
  /** Agents that answered this call, in order. */
  readonly agents: SoakAgent[] = [];
  private waiters: (() => void)[] = [];
  raced = false;

  constructor(
    readonly key: string,
    readonly kind: CallKind,
    private readonly env: CallEnv,
  ) {
    this.customer = new SoakCustomer({
      key,
      sip: env.sip,
      loss: env.loss,
      lossStats: env.lossStats,
    });
  }

  /** Called by the driver when an agent answered this call. */
  agentAnswered(agent: SoakAgent): void {
    this.agents.push(agent);
    for (const w of this.waiters.splice(0)) w();
  }

  async run(): Promise<CallResult> {
    const result: CallResult = {
      key: this.key,
      kind: this.kind,
      ran: this.kind,
      reached: false,
      end: 'error',
      lossy: this.env.loss > 0,
    };
    let limit: NodeJS.Timeout | undefined;
    try {
      const overtime = new Promise<'stuck'>(
        (r) => (limit = setTimeout(() => r('stuck'), CALL_LIMIT_MS)),
      );
      const end = await Promise.race([this.script(result), overtime]);
      result.end = end;
      if (end === 'stuck') {
        await this.customer.cancel();
        await this.customer.hangUp();
      }
    } catch (err) {
      result.end = 'error';
      result.error = (err as Error).message;
    } finally {
      clearTimeout(limit);
      result.sipCallId = this.customer.sipCallId;
      result.reached ||= this.customer.provisional.some((s) => s > 100);
      // Let the last retransmissions and the gateway's own BYE to the agent go by.
      await sleep(300);
      await this.customer.close();
    }
    return result;
  }

  private async script(r: CallResult): Promise<CallEnd> {
    const c = this.customer;
    const t = this.env.timing;
    const cancelling = this.kind === 'hangup-ringing' || this.kind === 'hangup-queued';
    const invite = c.call();
    if (cancelling) {
      // Ringing: the agents ring 150–700 ms; queued: a moment later, when every agent is busy.
      const wait =
        this.kind === 'hangup-ringing'
          ? 250 + this.env.random() * 250
          : 600 + this.env.random() * 1500;
      await Promise.race([invite, sleep(wait)]);
      await c.cancel();
    }
    const answer = await invite;
    if (answer.kind === 'rejected') {
      r.status = answer.status;
      r.reached = answer.status !== 503 || c.provisional.length > 0;
      return cancelling || this.raced ? 'hung-up' : 'refused';
    }
    if (answer.kind === 'no-answer') return 'no-response';
    r.reached = true;
    // Answered after all (a CANCEL that crossed the 200): hang up at once.
    if (cancelling || this.raced) return (await c.hangUp()) ? 'hung-up' : 'no-response';
    const agent = await this.firstAgent();
    if (!agent) return (await c.hangUp()) ? 'hung-up' : 'no-response';

    if (!(await this.talk(800 + this.env.random() * 1200))) return 'ended-by-gateway';
    r.agentProto = agent.proto;
    // A loaded machine may hold the first packets back: a second look a moment later.
    let share = c.heardShare(AGENT_TONE);
    if (share <= 0.5 && (await this.talk(700))) share = c.heardShare(AGENT_TONE);
    if (c.endedByGateway) return 'ended-by-gateway';
    r.share = Math.round(share * 100) / 100;
    r.heardAgent = share > 0.5;
    let kind = this.kind;
    if (kind === 'ws-close' && agent.proto !== 'ws') kind = 'talk';
    r.ran = kind;
    switch (kind) {
      case 'talk':
        break;
      case 'drop-reattach': {
        // Should the re-INVITE fail, the agent comes back by its desktop signal instead.
        agent.awayFor = this.key;
        agent.dropMedia();
        if (!(await this.talk(t.lossMs + 1500))) return 'ended-by-gateway';
        if (!(await agent.reconnectMedia())) break;
        agent.awayFor = undefined;
        if (!(await this.talk(1500))) return 'ended-by-gateway';
        r.heardAgain = c.heardShare(AGENT_TONE) > 0.5;
        break;
      }
      case 'ws-close': {
        const before = this.agents.length;
        await agent.closeTransport(1500);
        const back = await this.nextAgent(before, t.lossMs + 1500 + t.ringTimeoutMs + 4000);
        if (c.endedByGateway) return 'ended-by-gateway';
        if (back && (await this.talk(1200))) r.heardAgain = c.heardShare(AGENT_TONE) > 0.5;
        break;
      }
      case 'drop-reroute': {
        const before = this.agents.length;
        agent.awayFor = this.key;
        agent.dropMedia();
        const next = await this.nextAgent(
          before,
          t.lossMs + t.windowMs + 2 * t.ringTimeoutMs + 6000,
        );
        if (c.endedByGateway) return 'ended-by-gateway';
        if (next && (await this.talk(1200))) r.heardAgain = c.heardShare(AGENT_TONE) > 0.5;
        break;
      }
      case 'hangup-prompt':
      case 'hangup-music':
      case 'hangup-reroute': {
        agent.awayFor = this.key;
        agent.dropMedia();
        const after =
          kind === 'hangup-prompt'
            ? t.lossMs + 1500
            : kind === 'hangup-music'
              ? t.lossMs + t.promptMs + 1200
              : t.lossMs + t.windowMs + 900;
        if (!(await this.talk(after))) return 'ended-by-gateway';
        break;
      }
      default:
        break;
    }
    if (c.endedByGateway) return 'ended-by-gateway';
    return (await c.hangUp()) ? 'hung-up' : 'no-response';
  }

  /** The call stays up for ms; false if the gateway ended it meanwhile. */
  private async talk(ms: number): Promise<boolean> {
    return !(await this.customer.endedWithin(ms));
  }

  private async firstAgent(): Promise<SoakAgent | undefined> {
    return (await this.nextAgent(0, 3000)) ?? undefined;
  }

  /** The agent answering after the first `count` did, within ms. */
  private async nextAgent(count: number, ms: number): Promise<SoakAgent | undefined> {
    const until = Date.now() + ms;
    while (this.agents.length <= count) {
      const left = until - Date.now();
      if (left <= 0 || this.customer.endedByGateway) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.agents[count];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
