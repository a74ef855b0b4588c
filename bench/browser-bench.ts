// Browser agent latencies over repeated desktop drops on one call, in real headless
// Chromium (the agent page, the redirection shim), the embedded SIP server over WebSocket,
// a local rtpengine and a Node customer, all on loopback:
//   signal → prompt     the redirection event in the page → first packet of the
//                       disconnected prompt at the customer (the page's API/INFO report,
//                       the gateway's decision, rtpengine's playback)
//   re-INVITE → audio   the page's re-INVITE leaves (seen on the SIP wire tap) → audio both
//                       ways: the customer decodes the browser's tone and the page hears
//                       the customer's (its own Web Audio meter); the later of the two
//   signal → board      the redirection event → the episode's card on the operations board
//                       (another page of the same browser, on the admin stream)
//   re-INVITE → board   the re-INVITE leaves → the card is off the board
// Prints a table and, last, one JSON line.
//
//   npm run bench:browser -- [--drops 20]
import os from 'node:os';
import path from 'node:path';
import { readWav } from '../test/helpers/audio-wav';
import { startTestGateway, waitFor } from '../test/e2e/fixtures/gateway-harness';
import { Customer, CUSTOMER_TONE } from '../test/e2e/fixtures/parties';
import { AgentPage, ALICE } from '../test/browser/fixtures/agent-page';
import { BoardPage } from '../test/browser/fixtures/board-page';
import { promptOnset, toneOnset } from '../test/browser/fixtures/audio-timing';
import { BROWSER_TONE, chromiumMissing, launchChromium } from '../test/browser/fixtures/chromium';
import { SipWireTap } from '../test/browser/fixtures/sip-wire-tap';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const DROPS = arg('drops', 20);
const PROMPT = readWav(path.join(__dirname, '../../prompts/agent-disconnected.wav')).samples;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x);
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p99: r(percentile(s, 99)),
    min: r(s[0]),
    max: r(s[s.length - 1]),
  };
}

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const teardowns: (() => unknown)[] = [];
  const owner = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  const loadBefore = os.loadavg();
  const signalToPrompt: number[] = [];
  const toTwoWay: number[] = [];
  const toCustomer: number[] = [];
  const toAgent: number[] = [];
  const toBoard: number[] = [];
  const offBoard: number[] = [];
  const failures: string[] = [];
  try {
    const hf = await startTestGateway(owner, [{ id: 'alice', password: 'pw-alice' }], {
      // Defaults of a deployment, except media loss kept out of the way of the signal.
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 150_000 },
      media: { lossMs: 3000 },
    });
    const tap = await SipWireTap.open(owner, hf.sip.ws!);
    const browser = await launchChromium(owner);
    const page = await AgentPage.open(owner, browser, hf, tap);
    const board = await BoardPage.open(owner, browser, hf);
    await board.live();
    const card = 'article.episode[data-agent="alice"]';
    await page.login(ALICE);
    const calling = Customer.call(owner, hf);
    await page.waitForPhase('ringing');
    await page.click('#answer');
    const customer = await calling;
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'call connected');
    await sleep(1000);

    for (let i = 1; i <= DROPS; i++) {
      customer.ep.clear();
      const shown = board.whenShown(card);
      const dropAt = await page.dropDesktop();
      await waitFor(() => call.state === 'agentGone', `drop ${i}: agent gone`, 5000);
      await sleep(1800); // enough of the prompt to recognise it
      const onset = promptOnset(customer.ep, dropAt, PROMPT);
      if (onset.score > 0.8) signalToPrompt.push(onset.atEpochMs - dropAt);
      else failures.push(`drop ${i}: prompt not recognised (score ${onset.score.toFixed(2)})`);
      toBoard.push((await shown) - dropAt);

      const invites = tap.sent('INVITE').length;
      const pageHeard = page.waitForTone(CUSTOMER_TONE, 15_000);
      const cleared = board.whenShown(card, { gone: true, timeoutMs: 15_000 });
      const restoreAt = await page.restoreDesktop();
      const outcome = await page.recovered(restoreAt, 15_000);
      if (outcome !== 're-invite') {
        failures.push(`drop ${i}: recovery was ${outcome}`);
        await pageHeard.catch(() => {});
        await cleared.catch(() => {});
        continue;
      }
      const reinviteAt = await until(
        () => tap.sent('INVITE')[invites]?.at,
        `drop ${i}: re-INVITE on the wire`,
      );
      const customerHeard = await until(() => {
        const at = toneOnset(customer.ep, reinviteAt, BROWSER_TONE);
        return Number.isNaN(at) ? undefined : at;
      }, `drop ${i}: the customer hears the browser`);
      const agentHeard = await pageHeard;
      toCustomer.push(customerHeard - reinviteAt);
      toAgent.push(agentHeard - reinviteAt);
      toTwoWay.push(Math.max(customerHeard, agentHeard) - reinviteAt);
      offBoard.push((await cleared) - reinviteAt);
      await waitFor(() => call.state === 'connected', `drop ${i}: reattached`, 5000);
      process.stderr.write(`drop ${i}/${DROPS} done\n`);
      await sleep(500);
    }
    await customer.hangUp();
    await hf.settled(10_000);
  } finally {
    for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => {});
  }

  const result = {
    bench: 'browser',
    drops: DROPS,
    loadavg: {
      before: loadBefore.map((x) => +x.toFixed(2)),
      after: os.loadavg().map((x) => +x.toFixed(2)),
    },
    cpus: os.cpus().length,
    signalToPromptMs: summary(signalToPrompt),
    reinviteToTwoWayAudioMs: summary(toTwoWay),
    reinviteToCustomerHearsMs: summary(toCustomer),
    reinviteToAgentHearsMs: summary(toAgent),
    signalToBoardMs: summary(toBoard),
    reinviteToBoardClearMs: summary(offBoard),
    failures,
  };
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `  ${name.padEnd(28)} ${String(s.n).padStart(3)} ${String(s.p50).padStart(7)} ${String(s.p99).padStart(7)} ${String(s.min).padStart(7)} ${String(s.max).padStart(7)}`;
  console.log(
    `browser agent, ${DROPS} desktop drops on one call (load average ${result.loadavg.before.join(' ')} → ${result.loadavg.after.join(' ')}, ${result.cpus} cores)`,
  );
  console.log(
    `  ${'ms'.padEnd(28)} ${'n'.padStart(3)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)}`,
  );
  console.log(row('signal → prompt', result.signalToPromptMs));
  console.log(row('re-INVITE → two-way audio', result.reinviteToTwoWayAudioMs));
  console.log(row('  re-INVITE → customer hears', result.reinviteToCustomerHearsMs));
  console.log(row('  re-INVITE → agent hears', result.reinviteToAgentHearsMs));
  console.log(row('signal → on the board', result.signalToBoardMs));
  console.log(row('re-INVITE → off the board', result.reinviteToBoardClearMs));
  for (const f of failures) console.log(`  failure: ${f}`);
  console.log(JSON.stringify(result));
  if (failures.length) process.exitCode = 1;
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
