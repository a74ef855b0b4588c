// The routes a monitoring system calls without a token: GET /health and GET /ready
// (HealthRoutes) and GET /metrics (Prometheus text). They reveal counts, never call or
// agent details, and the HTTP API binds to loopback by default; expose it deliberately.
// The built web pages (/agent/, /board/) come in here too: static files, no token.
import type http from 'node:http';
import type { HealthRoutes } from '../health/health-routes';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { staticSite } from './static-site';

export function opsRoutes(health: HealthRoutes, metrics: GatewayMetrics, beforeScrape: () => void) {
  const pages = staticSite();
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (health.handle(req, res)) return true;
    if (pages(req, res)) return true;
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || req.method !== 'GET') return false;
    beforeScrape();
    metrics.render().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(err.message),
    );
    return true;
  };
}
