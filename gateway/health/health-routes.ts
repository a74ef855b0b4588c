// GET /health (liveness: the process answers; with details, 'degraded' when one is not ok)
// and GET /ready (readiness: every check passes) for the gateway's HTTP server. handle() answers the two paths and returns false
// for anything else, so the server mounts it with one line in front of its own routing.
import type http from 'node:http';
import type { Readiness } from './readiness';

export interface HealthRoutesOptions {
  /** Paths; defaults /health and /ready. */
  healthPath?: string;
  readyPath?: string;
}

export class HealthRoutes {
  private readonly healthPath: string;
  private readonly readyPath: string;

  constructor(
    private readonly readiness: Readiness,
    opts: HealthRoutesOptions = {},
  ) {
    this.healthPath = opts.healthPath ?? '/health';
    this.readyPath = opts.readyPath ?? '/ready';
  }

  /** Answers /health and /ready; false when the request is for another path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.healthPath && path !== this.readyPath) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(
        res,
        405,
        { status: 'error', error: `${req.method} not allowed on ${path}; use GET` },
        { Allow: 'GET, HEAD' },
      );
      return true;
    }
    if (path === this.healthPath) {
      const details = this.readiness.details();
      const names = Object.keys(details);
      if (!names.length) send(res, 200, { status: 'ok' });
      else {
        const degraded = names.some((n) => !details[n].ok);
        send(res, 200, { status: degraded ? 'degraded' : 'ok', details });
      }
      return true;
    }
    this.readiness.run().then(
      (report) => {
        const failing = report.checks
          .filter((c) => !c.ok)
          .map(({ name, reason }) => ({ name, reason }));
        if (report.ready)
          send(res, 200, { status: 'ready', checks: report.checks.map((c) => c.name) });
        else send(res, 503, { status: 'not ready', failing });
      },
      (err: unknown) => send(res, 500, { status: 'error', error: String(err) }),
    );
    return true;
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
