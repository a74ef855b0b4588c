// The built web pages (`npm run build` puts them in dist/web): the agent page at /agent/
// and, later, the operations board at /board/. Files only, read from disk at request
// time; no directory listing, nothing outside the site's folder, no token (the pages ask
// for the agent's credentials themselves and call the API with them).
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
};

// The pages load nothing from elsewhere: a strict policy says so to the browser too.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; " +
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface StaticSiteOptions {
  /** The folder holding one sub-folder per site (agent/, board/); dist/web by default. */
  root?: string;
  /** The sites served, each at /<name>/. */
  sites?: string[];
}

/** dist/web, whether this file runs compiled (dist/gateway/http) or from source (tests). */
export const DEFAULT_WEB_ROOT = (() => {
  const up = path.resolve(__dirname, '../..');
  return path.basename(up) === 'dist' ? path.join(up, 'web') : path.join(up, 'dist', 'web');
})();

export function staticSite(opts: StaticSiteOptions = {}) {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  const sites = new Set(opts.sites ?? ['agent', 'board']);
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const pathname = (req.url ?? '/').split('?')[0];
    const site = /^\/([a-z]+)(\/.*)?$/.exec(pathname);
    if (!site || !sites.has(site[1])) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('use GET');
      return true;
    }
    // /agent → /agent/ so that the page's relative URLs resolve inside the site.
    if (site[2] === undefined) {
      res.writeHead(301, { Location: `/${site[1]}/` }).end();
      return true;
    }
    serveFile(path.join(root, site[1]), site[2], req, res);
    return true;
  };
}

function serveFile(
  siteDir: string,
  urlPath: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path');
    return;
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = path.resolve(siteDir, '.' + relative);
  // Only files inside the site's folder: '..' and encoded tricks end here.
  if (!file.startsWith(siteDir + path.sep) || relative.includes('\0')) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      const hint = err?.code === 'ENOENT' && !fs.existsSync(siteDir) ? ' (run npm run build)' : '';
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found${hint}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}
