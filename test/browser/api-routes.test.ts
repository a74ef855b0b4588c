// What the pages meet at the gateway's HTTP front: unknown paths are 404 before any token
// is asked for (a browser's /favicon.ico is not an authentication failure); the SIP
// WebSocket is advertised without a token and the agent page fills its form with it; the
// board's stream wants the admin token (and the board page says when it is refused).
import http from 'node:http';
import t from 'tap';
import { startTestGateway } from '../e2e/fixtures/gateway-harness';
import { BoardPage } from './fixtures/board-page';
import { chromiumMissing, launchChromium } from './fixtures/chromium';

t.test('unknown paths, the SIP WebSocket, the board stream, in the pages', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const base = `http://${hf.gw.http.host}:${hf.gw.http.port}`;
  const plain = (path: string) => fetch(`${base}${path}`);

  for (const path of ['/favicon.ico', '/', '/robots.txt', '/v1', '/v1/nothing', '/v2/agents'])
    t.equal((await plain(path)).status, 404, `${path} without a token: 404`);
  t.match(await (await plain('/favicon.ico')).json(), { error: 'not_found' });
  t.equal((await plain('/v1/agents')).status, 401, 'a known route still wants a token');
  t.equal((await plain('/v1/calls/x/hold')).status, 401, 'and under it too');
  t.equal((await plain('/v1/events')).status, 401, 'the board stream too');

  const ws = await plain('/v1/sip/websockets');
  t.equal(ws.status, 200, 'the SIP WebSocket without a token');
  t.same(await ws.json(), {
    websockets: [{ transport: 'ws', host: hf.sip.ws!.host, port: hf.sip.ws!.port }],
  });

  const agentTry = await fetch(`${base}/v1/events`, {
    headers: { Authorization: 'Bearer alice-token' },
  });
  t.equal(agentTry.status, 403, "an agent's token does not open the board");
  // The stream itself (node:http, to read the first message and go).
  const first = await new Promise<{ type?: string; text: string }>((resolve, reject) => {
    const req = http.get(
      `${base}/v1/events`,
      { headers: { Authorization: `Bearer ${hf.adminToken}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          const at = text.indexOf('event:');
          if (at >= 0 && text.includes('\n\n', at)) {
            req.destroy();
            resolve({ type: res.headers['content-type'], text });
          }
        });
      },
    );
    req.on('error', reject);
  });
  t.match(first.type, /^text\/event-stream/);
  t.match(
    first.text,
    /event: snapshot\ndata: \{"serverNow":\d+,"calls":\[\],"agents":\[\{"id":"alice"/,
  );

  if (chromiumMissing()) return;
  const browser = await launchChromium(t);
  const context = await browser.newContext();
  t.teardown(() => context.close().catch(() => {}));
  const page = await context.newPage();
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}/agent/`);
  const want = `ws://${hf.sip.ws!.host}:${hf.sip.ws!.port}`;
  let shown = '';
  for (let i = 0; i < 100 && shown !== want; i++) {
    shown = await page.inputValue('input[name=server]');
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(shown, want, 'the agent page fills in the SIP WebSocket the gateway advertises');
  t.same(failed, [], 'and the page loads without a failed request');

  const board = await BoardPage.open(t, browser, hf, 'not-the-token');
  await board.page.waitForSelector('#login-error:not([hidden])', { timeout: 5000 });
  t.match(await board.text('#login-error'), /refused/, 'the board says the token was refused');
  t.ok(await board.page.isHidden('#board'), 'and shows nothing of the board');
});
