// The static pages handler: files of a site under /<site>/, nothing outside its folder.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { DEFAULT_WEB_ROOT, staticSite } from '../../gateway/http/static-site';

async function serve(t: Test, root: string) {
  const pages = staticSite({ root });
  const server = http.createServer((req, res) => {
    if (!pages(req, res)) res.writeHead(418).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  // node:http sends the path as written (fetch would resolve '..' before sending).
  return (p: string, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: p, method }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
}

t.test('serves a site, redirects its bare name, refuses what is outside it', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-site-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'agent'));
  fs.writeFileSync(path.join(root, 'agent', 'index.html'), '<p>agent</p>');
  fs.writeFileSync(path.join(root, 'agent', 'agent.js'), 'void 0');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'no');
  const get = await serve(t, root);

  const index = await get('/agent/');
  t.equal(index.status, 200);
  t.equal(index.body, '<p>agent</p>');
  t.match(index.headers['content-type'], /text\/html/);
  t.match(index.headers['content-security-policy'], /default-src 'self'/);
  t.match((await get('/agent/agent.js?v=1')).headers['content-type'], /javascript/);
  const bare = await get('/agent');
  t.equal(bare.status, 301);
  t.equal(bare.headers.location, '/agent/');
  t.equal((await get('/agent/../secret.txt')).status, 404, 'no way out by ..');
  t.equal((await get('/agent/%2e%2e/secret.txt')).status, 404, 'nor by %2e%2e');
  t.equal((await get('/agent/%2e%2e%2fsecret.txt')).status, 404, 'nor by an encoded slash');
  t.equal((await get('/agent/%E0%A4%A')).status, 400, 'a malformed escape is a 400');
  t.equal((await get('/agent/missing.js')).status, 404);
  t.match(
    (await get('/board/')).body,
    /run npm run build/,
    'a site not built says how to build it',
  );
  t.equal((await get('/agent/', 'POST')).status, 405);
  t.equal((await get('/agent/', 'HEAD')).status, 200);
  t.equal((await get('/v1/agents')).status, 418, 'other paths are left to the API');
  t.equal((await get('/agentx/')).status, 418, 'only whole site names');
});

t.test('the default root is dist/web, where npm run build puts the pages', async (t) => {
  t.equal(path.basename(DEFAULT_WEB_ROOT), 'web');
  t.equal(path.basename(path.dirname(DEFAULT_WEB_ROOT)), 'dist');
});
