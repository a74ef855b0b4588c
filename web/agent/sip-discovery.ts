// Where the SIP server's WebSocket is, as the gateway says (GET /v1/sip/websockets, no
// token): the agent page fills its SIP server field with it. A page served over https
// takes a wss point (a browser refuses ws from a secure page), otherwise ws first. A
// wildcard host (0.0.0.0, ::) is the host that served the page.

interface SipWebSocket {
  transport: 'ws' | 'wss';
  host: string;
  port: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export function pickWebSocket(points: SipWebSocket[], page: Location): string | undefined {
  const secure = page.protocol === 'https:';
  const order = secure ? ['wss'] : ['ws', 'wss'];
  for (const transport of order) {
    const p = points.find((x) => x.transport === transport);
    if (!p) continue;
    const host = WILDCARDS.has(p.host) ? page.hostname : p.host;
    const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return `${transport}://${shown}:${p.port}`;
  }
  return undefined;
}

export async function discoverSipWebSocket(): Promise<string | undefined> {
  try {
    const res = await fetch('/v1/sip/websockets', { cache: 'no-store' });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { websockets?: SipWebSocket[] };
    return pickWebSocket(body.websockets ?? [], location);
  } catch {
    return undefined; // an older gateway: the field keeps its guess
  }
}
