// The gateway's Prometheus metrics, on a registry of their own: several gateways in one
// process (tests) never clash, and GET /metrics shows exactly these. Every method is safe
// to call from call handling: bad numbers are ignored, never thrown.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  AGENT_STATES,
  CALL_OUTCOMES,
  DISCONNECT_EVIDENCE,
  EPISODE_OUTCOMES,
  SIP_REQUEST_CLASSES,
  WEBHOOK_DROP_REASONS,
  type AgentState,
  type CallOutcome,
  type DisconnectEvidence,
  type EpisodeOutcome,
  type SipRequestClass,
  type WebhookDropReason,
} from './metric-labels';

export interface GatewayMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag) with the same prefix; default true. */
  processMetrics?: boolean;
  /** Labels on every series (e.g. { instance: 'hf-1' }). */
  defaultLabels?: Record<string, string>;
}

const PREFIX = 'holdfast_';
// Detection and reattach latencies: from 10 ms to 5 s.
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
// Queue waits: a second to ten minutes.
const WAIT_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 180, 300, 600];
// rtpengine answers on loopback or the LAN in well under a second.
const NG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const seconds = (ms: number): number | undefined =>
  Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;

export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly activeCalls = this.gauge('calls_active', 'Customer calls in progress.');
  private readonly calls = this.counter('calls_total', 'Customer calls ended, by outcome.', [
    'outcome',
  ]);
  private readonly agents = this.gauge('agents', 'Agents by state.', ['state']);
  private readonly disconnects = this.counter(
    'agent_disconnects_total',
    'Agent disconnects detected on a call, by the evidence that fired first.',
    ['evidence'],
  );
  private readonly episodes = this.counter(
    'disconnect_episodes_total',
    'Disconnect episodes ended, by outcome.',
    ['outcome'],
  );
  private readonly detectionToPrompt = this.histogram(
    'detection_to_prompt_seconds',
    'From the first evidence of a disconnect to the prompt starting for the customer.',
    LATENCY_BUCKETS,
  );
  private readonly reconnectToAudio = this.histogram(
    'reconnect_to_audio_seconds',
    "From the agent's return to audio flowing again between agent and customer.",
    LATENCY_BUCKETS,
  );
  private readonly queueLength = this.gauge('queue_length', 'Calls waiting for an agent.');
  private readonly queueWait = this.histogram(
    'queue_wait_seconds',
    'Time a call waited in the queue before an agent answered.',
    WAIT_BUCKETS,
  );
  private readonly ngLatency = this.histogram(
    'rtpengine_request_seconds',
    'rtpengine ng request latency, by command.',
    NG_BUCKETS,
    ['command'],
  );
  private readonly ngErrors = this.counter(
    'rtpengine_errors_total',
    'rtpengine ng requests that failed or timed out, by command.',
    ['command'],
  );
  private readonly rtpengineUp = this.gauge(
    'rtpengine_up',
    '1 while rtpengine answers, 0 while it is down (exited, frozen, unreachable).',
  );
  private readonly rtpengineRestarts = this.counter(
    'rtpengine_restarts_total',
    'rtpengine restarts (each one lost every call it anchored): ours restarted, or an external one seen restarted.',
  );
  private readonly sipResponses = this.counter(
    'sip_responses_sent_total',
    'SIP responses sent, by status code.',
    ['code'],
  );
  private readonly sipThrottled = this.counter(
    'sip_requests_throttled_total',
    'SIP requests refused by the rate limiter, by request class.',
    ['class'],
  );
  private readonly webhookDelivered = this.counter(
    'webhook_records_delivered_total',
    'Call records the webhook accepted.',
  );
  private readonly webhookDropped = this.counter(
    'webhook_records_dropped_total',
    'Call records never delivered, by reason.',
    ['reason'],
  );
  private readonly draining = this.gauge(
    'draining',
    '1 while the gateway drains for shutdown, else 0.',
  );

  constructor(opts: GatewayMetricsOptions = {}) {
    if (opts.defaultLabels) this.registry.setDefaultLabels(opts.defaultLabels);
    if (opts.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    // Series exist at zero from the first scrape, so rates and alerts see no gaps.
    this.activeCalls.set(0);
    this.queueLength.set(0);
    this.draining.set(0);
    this.rtpengineUp.set(1);
    this.rtpengineRestarts.inc(0);
    this.webhookDelivered.inc(0);
    for (const outcome of CALL_OUTCOMES) this.calls.inc({ outcome }, 0);
    for (const state of AGENT_STATES) this.agents.set({ state }, 0);
    for (const evidence of DISCONNECT_EVIDENCE) this.disconnects.inc({ evidence }, 0);
    for (const outcome of EPISODE_OUTCOMES) this.episodes.inc({ outcome }, 0);
    for (const reason of WEBHOOK_DROP_REASONS) this.webhookDropped.inc({ reason }, 0);
    for (const cls of SIP_REQUEST_CLASSES) this.sipThrottled.inc({ class: cls }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  // Calls.
  callStarted(): void {
    this.activeCalls.inc();
  }

  callEnded(outcome: CallOutcome): void {
    this.activeCalls.dec();
    this.calls.inc({ outcome });
  }

  // Agents.
  /** Counts of every state at once (start-up, or after a configuration reload). */
  setAgentStates(counts: Partial<Record<AgentState, number>>): void {
    for (const state of AGENT_STATES) this.agents.set({ state }, counts[state] ?? 0);
  }

  agentMoved(from: AgentState | undefined, to: AgentState): void {
    if (from === to) return;
    if (from) this.agents.dec({ state: from });
    this.agents.inc({ state: to });
  }

  // Disconnect episodes.
  disconnectDetected(evidence: DisconnectEvidence): void {
    this.disconnects.inc({ evidence });
  }

  episodeEnded(outcome: EpisodeOutcome): void {
    this.episodes.inc({ outcome });
  }

  observeDetectionToPrompt(ms: number): void {
    const s = seconds(ms);
    if (s !== undefined) this.detectionToPrompt.observe(s);
  }

  observeReconnectToAudio(ms: number): void {
    const s = seconds(ms);
    if (s !== undefined) this.reconnectToAudio.observe(s);
  }

  // Queue.
  setQueueLength(n: number): void {
    if (Number.isFinite(n) && n >= 0) this.queueLength.set(n);
  }

  observeQueueWait(ms: number): void {
    const s = seconds(ms);
    if (s !== undefined) this.queueWait.observe(s);
  }

  // rtpengine.
  observeRtpengineRequest(command: string, ms: number): void {
    const s = seconds(ms);
    if (s !== undefined) this.ngLatency.observe({ command }, s);
  }

  rtpengineError(command: string): void {
    this.ngErrors.inc({ command });
  }

  setRtpengineUp(up: boolean): void {
    this.rtpengineUp.set(up ? 1 : 0);
  }

  rtpengineRestarted(count = 1): void {
    if (Number.isInteger(count) && count > 0) this.rtpengineRestarts.inc(count);
  }

  // SIP.
  sipResponseSent(code: number): void {
    if (Number.isInteger(code) && code >= 100 && code <= 699)
      this.sipResponses.inc({ code: String(code) });
  }

  sipRequestThrottled(cls: SipRequestClass): void {
    this.sipThrottled.inc({ class: cls });
  }

  // Call-record webhook.
  webhookRecordDelivered(): void {
    this.webhookDelivered.inc();
  }

  webhookRecordDropped(reason: WebhookDropReason): void {
    this.webhookDropped.inc({ reason });
  }

  // Shutdown.
  setDraining(draining: boolean): void {
    this.draining.set(draining ? 1 : 0);
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Gauge<L>({ name: PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) {
    return new Histogram<L>({
      name: PREFIX + name,
      help,
      buckets,
      labelNames,
      registers: [this.registry],
    });
  }
}
