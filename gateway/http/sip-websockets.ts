// GET /v1/sip/websockets, without a token: the ws/wss listening points of the SIP server,
// so that the agent page can fill in its SIP server field before the agent logs in. Only
// what the page needs to open its WebSocket (an agent must know it anyway); a wildcard
// host (0.0.0.0, ::) means "the host that served this page".
import type http from 'node:http';

export interface SipWebSocket {
  transport: 'ws' | 'wss';
  host: string;
  port: number;
}

/** The WebSocket points among the SIP server's hostports ('ws/127.0.0.1:8088', …). */
export function sipWebSockets(hostports: readonly string[]): SipWebSocket[] {
  const found: SipWebSocket[] = [];
  for (const hp of hostports) {
    const m = /^(wss?)\/\[?([^\]]+?)\]?:(\d+)$/i.exec(hp.trim());
    if (m)
      found.push({
        transport: m[1].toLowerCase() as 'ws' | 'wss',
        host: m[2],
        port: Number(m[3]),
      });
  }
  return found;
}

/** The route; false when the request is not for it. */
export function sipWebSocketsRoute(hostports: readonly string[]) {
  const body = JSON.stringify({ websockets: sipWebSockets(hostports) });
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if ((req.url ?? '/').split('?')[0] !== '/v1/sip/websockets') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('use GET');
      return true;
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
