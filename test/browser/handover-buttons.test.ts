// The agent page's consult and transfer buttons against the gateway's API (the audio of
// consults and transfers is test/e2e/consult-flows.test.ts's): alice in the browser
// consults bob (a Node agent) and cancels, consults again and completes, then transfers a
// second call to bob. The page enables what the call's phase allows and follows the
// gateway: "consulting bob", back to talking, the call ended when it is handed over.
import t from 'tap';
import { startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Agent, Customer, hearsTone } from '../e2e/fixtures/parties';
import { AgentPage, ALICE } from './fixtures/agent-page';
import { BROWSER_TONE, chromiumMissing, launchChromium } from './fixtures/chromium';
import { SipWireTap } from './fixtures/sip-wire-tap';

const BOB_TONE = 1600;

t.test(
  'consult (cancel, then complete) and transfer from the page',
  { skip: chromiumMissing() },
  async (t) => {
    const hf = await startTestGateway(t, [
      { id: 'alice', password: 'pw-alice' },
      { id: 'bob', password: 'pw-bob' },
    ]);
    const tap = await SipWireTap.open(t, hf.sip.ws!);
    const browser = await launchChromium(t);
    const page = await AgentPage.open(t, browser, hf, tap);
    await page.login(ALICE);
    const calling = Customer.call(t, hf);
    await page.waitForPhase('ringing');
    await page.click('#answer');
    const customer = await calling;
    await page.waitForPhase('connected');
    const call = [...hf.gw.calls.values()][0];
    const bob = await Agent.open(t, hf, 'bob', { tone: BOB_TONE, password: 'pw-bob' });
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
    const enabled = async (sel: string) => page.page.isEnabled(sel);

    t.notOk(await enabled('#consult'), 'no target yet: Consult is disabled');
    t.notOk(await enabled('#consult-complete'), 'and Complete, while talking');
    await page.page.fill('#transfer-target', 'bob');
    t.ok(await enabled('#consult'), 'a target: Consult is enabled');
    t.ok(await enabled('#transfer'), 'and Transfer');

    // Consult, then cancel.
    let bobAnswers = bob.nextCall();
    await page.click('#consult');
    await bobAnswers;
    await waitFor(
      () => call.phase === 'consulting' && call.consultLeg?.state === 'up',
      'consult up',
    );
    t.match(
      await page.waitForText('#handover-state', /consulting bob \(up\)/),
      /consulting bob \(up\)/,
      'the page shows the consult',
    );
    t.ok(await enabled('#consult-complete'), 'Complete is enabled');
    t.notOk(await enabled('#consult'), 'Consult is not');
    const heard = await page.hearsTone(BOB_TONE, 800);
    t.ok(heard > 0.5, `alice hears bob in the consult (share ${heard.toFixed(2)})`);
    const bobReleased = bob.ua.waitForBye(bob.current!);
    await page.click('#consult-cancel');
    t.ok(await bobReleased, 'Cancel releases bob');
    await waitFor(() => call.phase === 'talking', 'talking again');
    t.equal(await page.waitForText('#handover-state', /^$/), '', 'the page is back to the call');
    t.ok(await enabled('#consult'), 'Consult is enabled again');
    t.ok((await hearsTone(customer.ep, BROWSER_TONE)) > 0.7, 'the customer hears alice again');

    // Consult, then complete: the customer goes to bob, alice's call ends.
    bobAnswers = bob.nextCall();
    await page.click('#consult');
    await bobAnswers;
    await waitFor(() => call.consultLeg?.state === 'up', 'consult up again');
    await page.waitForText('#handover-state', /consulting bob \(up\)/);
    await page.page.waitForSelector('#consult-complete:enabled', { timeout: 5000 });
    await page.click('#consult-complete');
    await page.waitForPhase('ended');
    t.equal(call.agentId, 'bob', 'the call is with bob');
    t.ok((await hearsTone(customer.ep, BOB_TONE)) > 0.7, 'the customer hears bob');
    t.equal(await customer.hangUp(), 200);
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob free');

    // A second call, transferred blind.
    const calling2 = Customer.call(t, hf);
    await page.waitForPhase('ringing');
    await page.click('#answer');
    const customer2 = await calling2;
    await page.waitForPhase('connected');
    const call2 = [...hf.gw.calls.values()].find((c) => c !== call)!;
    await page.page.fill('#transfer-target', 'bob');
    bobAnswers = bob.nextCall();
    await page.click('#transfer');
    await bobAnswers;
    await page.waitForPhase('ended');
    await waitFor(() => call2.agentId === 'bob' && call2.phase === 'talking', 'transferred');
    t.ok((await hearsTone(customer2.ep, BOB_TONE)) > 0.7, 'the second customer hears bob');
    t.equal(await customer2.hangUp(), 200);
    await hf.settled();
    t.same(page.errors, [], 'no error in the page');
  },
);
