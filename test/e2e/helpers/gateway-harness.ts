// A whole gateway for an end-to-end test: embedded SIP server (or the drachtio-server of
// DRACHTIO_*), a private rtpengine (or RTPENGINE_*), the agent API, all on loopback with
// ephemeral ports and thresholds shortened through configuration. Stopped on teardown,
// after checking that nothing leaked.
export interface Teardownable {
  teardown(fn: () => unknown): void;
}
import { parseConfig } from '../../../gateway/config/load-config';
import { startGateway, type RunningGateway } from '../../../gateway/gateway';
import { parseHostports, type SipAddress } from '../../helpers/sip-server';

export interface TestAgent {
  id: string;
  uri?: string;
  password?: string;
  token?: string;
}

type Section = Record<string, unknown>;
export interface Overrides {
  policy?: Section;
  media?: Section;
  queue?: Section;
  sbc?: Section;
  overflow?: Section;
  prompts?: Section;
}

// The API's JSON is checked by the tests themselves (t.match): an untyped boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface TestGateway {
  gw: RunningGateway;
  sip: { udp: SipAddress; tcp?: SipAddress; ws?: SipAddress };
  adminToken: string;
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: Json }>;
  /** Resolves once nothing of any call is left (calls, deadlines, watched legs, rtpengine). */
  settled(timeoutMs?: number): Promise<void>;
}

export const ADMIN = 'admin-token';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `pred` every 20 ms until true; rejects with `what` after timeoutMs. */
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

/** rtpengine's local port towards one party of a call: where that party must send its RTP. */
export async function rtpenginePortFor(
  gw: RunningGateway,
  mediaCallId: string,
  tag: string,
): Promise<number> {
  const reply = await gw.ng.request('query', { 'call-id': mediaCallId });
  const port = reply.tags?.[tag]?.medias?.[0]?.streams?.[0]?.['local port'];
  if (typeof port !== 'number') throw new Error(`rtpengine has no local port for ${tag}`);
  return port;
}

export async function startTestGateway(
  t: Teardownable,
  agents: TestAgent[],
  overrides: Overrides = {},
): Promise<TestGateway> {
  const doc = {
    sip: { contacts: ['sip:127.0.0.1:0;transport=udp,tcp', 'sip:127.0.0.1:0;transport=ws'] },
    http: { listen: '127.0.0.1:0', adminToken: ADMIN },
    agents: agents.map((a) => ({ token: `${a.id}-token`, ...a })),
    policy: {
      reconnectWindowMs: 3000,
      presenceTimeoutMs: 6000,
      keepaliveMs: 0,
      ...overrides.policy,
    },
    media: { lossMs: 600, ...overrides.media },
    queue: { ringTimeoutMs: 4000, maxWaitMs: 30000, ...overrides.queue },
    log: { level: process.env.HOLDFAST_TEST_LOG ?? 'warn' },
    ...(overrides.sbc ? { sbc: overrides.sbc } : {}),
    ...(overrides.overflow ? { overflow: overrides.overflow } : {}),
    ...(overrides.prompts ? { prompts: overrides.prompts } : {}),
  };
  const env = { ...process.env };
  delete env.HOLDFAST_ADMIN_TOKEN;
  const config = parseConfig(doc, { env });
  const gw = await startGateway(config, {});
  t.teardown(() => gw.stop());
  const hp = parseHostports(gw.sipHostports.join(','));
  if (!hp.udp)
    throw new Error(`the SIP server reports no UDP listening point: ${gw.sipHostports.join(',')}`);
  const api: TestGateway['api'] = async (method, path, body, token = ADMIN) => {
    const res = await fetch(`http://${gw.http.host}:${gw.http.port}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const settled = async (timeoutMs = 8000) => {
    let last = '';
    await waitFor(
      async () => {
        const s = gw.stats();
        const list = await gw.ng.request('list', { limit: 1000 });
        const left = (list.calls as string[] | undefined) ?? [];
        last = JSON.stringify({ ...s, rtpengineCalls: left.length });
        return (
          s.calls === 0 &&
          s.deadlines === 0 &&
          s.watchedCalls === 0 &&
          s.queued === 0 &&
          left.length === 0
        );
      },
      'everything released',
      timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message} — last: ${last}`);
    });
  };
  return { gw, sip: { udp: hp.udp, tcp: hp.tcp, ws: hp.ws }, adminToken: ADMIN, api, settled };
}
