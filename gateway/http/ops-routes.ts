// The routes a monitoring system calls without a token: GET /health and GET /ready
// (HealthRoutes) and GET /metrics (Prometheus text). They reveal counts, never call or
// agent details, and the HTTP API binds to loopback by default; expose it deliberately.
// The built web pages (/agent/, /board/) come in here too: static files, no token, and
// GET /v1/sip/websockets, where the agent page finds the SIP server's WebSocket.
import type http from 'node:http';
import type { HealthRoutes } from '../health/health-routes';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { sipWebSocketsRoute } from './sip-websockets';
import { staticSite } from './static-site';

export interface OpsRoutesOptions {
  health: HealthRoutes;
  metrics: GatewayMetrics;
  beforeScrape: () => void;
  /** The SIP server's listening points ('ws/127.0.0.1:8088', …). */
  sipHostports: readonly string[];
}

export function opsRoutes(o: OpsRoutesOptions) {
  const pages = staticSite();
  const sipWebSockets = sipWebSocketsRoute(o.sipHostports);
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (o.health.handle(req, res)) return true;
    if (pages(req, res)) return true;
    if (sipWebSockets(req, res)) return true;
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || req.method !== 'GET') return false;
    o.beforeScrape();
    o.metrics.render().then(
      (text) => res.writeHead(200, { 'Content-Type': o.metrics.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(err.message),
    );
    return true;
  };
}
