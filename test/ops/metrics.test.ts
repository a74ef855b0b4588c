import t from 'tap';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics';

/**
 * The value of one series in the text exposition, or undefined when absent. `series` is
 * written `name{a="1",b="2"}`; labels match as a set, whatever order prom-client prints.
 */
function sample(
  text: string,
  series: string,
  extra: Record<string, string> = {},
): number | undefined {
  const parse = (s: string) => {
    const m = /^([a-z_]+)(?:\{(.*)\})?$/.exec(s);
    if (!m) return undefined;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    return { name: m[1], labels };
  };
  const want = parse(series)!;
  const wantLabels = { ...want.labels, ...extra };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const cut = line.lastIndexOf(' ');
    const got = parse(line.slice(0, cut));
    if (!got || got.name !== want.name) continue;
    const keys = Object.keys(got.labels);
    if (
      keys.length === Object.keys(wantLabels).length &&
      keys.every((k) => got.labels[k] === wantLabels[k])
    ) {
      return Number(line.slice(cut + 1));
    }
  }
  return undefined;
}

t.test('two gateways in one process each have their own registry', async (t) => {
  const a = new GatewayMetrics({ processMetrics: true });
  const b = new GatewayMetrics({ processMetrics: true });
  a.callStarted();
  t.equal(sample(await a.render(), 'holdfast_calls_active'), 1);
  t.equal(sample(await b.render(), 'holdfast_calls_active'), 0);
  t.match(await a.render(), /holdfast_process_cpu_seconds_total/);
  t.match(a.contentType, /^text\/plain; version=0\.0\.4/);
});

t.test('every labelled series exists at zero before anything happens', async (t) => {
  const text = await new GatewayMetrics({ processMetrics: false }).render();
  for (const s of [
    'holdfast_calls_total{outcome="abandoned"}',
    'holdfast_agents{state="disconnected"}',
    'holdfast_agent_disconnects_total{evidence="media-loss"}',
    'holdfast_disconnect_episodes_total{outcome="customer-left"}',
    'holdfast_webhook_records_dropped_total{reason="overflow"}',
    'holdfast_sip_requests_throttled_total{class="setup"}',
    'holdfast_queue_length',
    'holdfast_draining',
  ]) {
    t.equal(sample(text, s), 0, s);
  }
  t.notMatch(text, /process_cpu/, 'no process metrics when turned off');
});

t.test('calls, agents, episodes, queue, rtpengine and SIP are counted', async (t) => {
  const m = new GatewayMetrics({ processMetrics: false, defaultLabels: { instance: 'hf1' } });
  m.callStarted();
  m.callStarted();
  m.callEnded('answered');
  m.setAgentStates({ available: 3, offline: 1 });
  m.agentMoved('available', 'ringing');
  m.agentMoved('ringing', 'busy');
  m.agentMoved('busy', 'busy');
  m.disconnectDetected('explicit-signal');
  m.episodeEnded('reattached');
  m.observeDetectionToPrompt(180);
  m.observeReconnectToAudio(40);
  m.observeReconnectToAudio(-1); // ignored
  m.observeReconnectToAudio(Number.NaN); // ignored
  m.setQueueLength(4);
  m.observeQueueWait(12_000);
  m.observeRtpengineRequest('offer', 3);
  m.rtpengineError('answer');
  m.sipResponseSent(503);
  m.sipResponseSent(503);
  m.sipResponseSent(42); // not a status code: ignored
  m.sipRequestThrottled('setup');
  m.webhookRecordDelivered();
  m.webhookRecordDropped('attempts');
  m.setDraining(true);
  const text = await m.render();
  const v = (s: string) => sample(text, s, { instance: 'hf1' });
  t.equal(v('holdfast_calls_active'), 1);
  t.equal(v('holdfast_calls_total{outcome="answered"}'), 1);
  t.equal(v('holdfast_agents{state="available"}'), 2);
  t.equal(v('holdfast_agents{state="busy"}'), 1);
  t.equal(v('holdfast_agents{state="ringing"}'), 0);
  t.equal(v('holdfast_agent_disconnects_total{evidence="explicit-signal"}'), 1);
  t.equal(v('holdfast_disconnect_episodes_total{outcome="reattached"}'), 1);
  t.equal(v('holdfast_detection_to_prompt_seconds_bucket{le="0.25"}'), 1);
  t.equal(v('holdfast_detection_to_prompt_seconds_bucket{le="0.1"}'), 0);
  t.equal(v('holdfast_reconnect_to_audio_seconds_count'), 1);
  t.equal(v('holdfast_reconnect_to_audio_seconds_bucket{le="0.05"}'), 1);
  t.equal(v('holdfast_queue_length'), 4);
  t.equal(v('holdfast_queue_wait_seconds_sum'), 12);
  t.equal(v('holdfast_rtpengine_request_seconds_bucket{le="0.005",command="offer"}'), 1);
  t.equal(v('holdfast_rtpengine_errors_total{command="answer"}'), 1);
  t.equal(v('holdfast_sip_responses_sent_total{code="503"}'), 2);
  t.notMatch(text, /code="42"/);
  t.equal(v('holdfast_sip_requests_throttled_total{class="setup"}'), 1);
  t.equal(v('holdfast_webhook_records_delivered_total'), 1);
  t.equal(v('holdfast_webhook_records_dropped_total{reason="attempts"}'), 1);
  t.equal(v('holdfast_draining'), 1);
});

t.test('every metric is documented in the README table, and only those', async (t) => {
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(`${__dirname}/../../gateway/metrics/README.md`, 'utf8');
  const documented = new Set(
    [...readme.matchAll(/^\| `(holdfast_[a-z_]+)` +\|/gm)].map((m) => m[1]),
  );
  const text = await new GatewayMetrics({ processMetrics: false }).render();
  const exposed = new Set([...text.matchAll(/^# TYPE (holdfast_[a-z_]+) /gm)].map((m) => m[1]));
  t.same([...exposed].sort(), [...documented].sort());
});

t.test('a finished call record feeds the end-of-call metrics', async (t) => {
  const { CallRecordBuilder } = await import('../../gateway/call-records/call-record-builder');
  const { observeCallRecord } = await import('../../gateway/call-records/record-metrics');
  let now = 0;
  const b = new CallRecordBuilder({ callId: 'c', customer: { from: 'sip:x@y' }, now: () => now });
  b.legOffered('a1');
  now = 4000;
  b.legAnswered('a1');
  b.agentGone('a1', 'media-loss');
  now = 4300;
  b.promptStarted();
  b.agentReturned('re-invite');
  now = 4360;
  b.reattached();
  b.agentGone('a1', 'transport-closed');
  now = 9000;
  const m = new GatewayMetrics({ processMetrics: false });
  m.callStarted();
  observeCallRecord(m, b.end('customer-hangup'));
  const text = await m.render();
  t.equal(sample(text, 'holdfast_calls_active'), 0);
  t.equal(sample(text, 'holdfast_calls_total{outcome="answered"}'), 1);
  t.equal(sample(text, 'holdfast_queue_wait_seconds_sum'), 4);
  t.equal(sample(text, 'holdfast_disconnect_episodes_total{outcome="reattached"}'), 1);
  t.equal(sample(text, 'holdfast_disconnect_episodes_total{outcome="customer-left"}'), 1);
  t.equal(sample(text, 'holdfast_detection_to_prompt_seconds_sum'), 0.3);
  t.equal(sample(text, 'holdfast_reconnect_to_audio_seconds_sum'), 0.06);
});
