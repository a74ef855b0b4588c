// The demo's customer and agent: real SIP user agents on a SIP server of their own (the
// embedded one, a second instance) driven by drachtio-srf, each with an RtpParty saying its
// tone. The customer calls the gateway as an SBC would; the agent is a static contact that
// answers, follows the gateway's re-INVITEs and can drop its media and bring it back.
import Srf from 'drachtio-srf';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { startSipServer, type SipServer } from '../../sipserver';
import { abandonSrf, connectSrf } from '../startup/connect-srf';
import type { SipDialog, SipRequest, SipResponse } from '../sip-types/srf-types';
import { RtpParty } from './rtp-party';

export const CUSTOMER_HZ = 440;
export const AGENT_HZ = 1000;

export class DemoParties {
  private customerDialog: SipDialog | undefined;

  private constructor(
    private readonly server: SipServer,
    private readonly srf: Srf,
    readonly customer: RtpParty,
    readonly agent: RtpParty,
    /** The agent's SIP URI (a static agent of the gateway). */
    readonly agentUri: string,
    onAgentAnswered: () => void,
  ) {
    srf.invite((req: SipRequest, res: SipResponse) => {
      agent.sendTo(req.body ?? '');
      srf.createUAS(req, res, { localSdp: agent.sdp() }).then(
        (dialog) => {
          dialog.on('destroy', () => (this.agentReleased = true));
          // The gateway re-offers when it reattaches the agent: follow its new address.
          dialog.on('modify', (re: SipRequest, r: SipResponse) => {
            agent.sendTo(re.body ?? '');
            r.send(200, { body: agent.sdp() });
          });
          agent.speak();
          onAgentAnswered();
        },
        () => undefined, // the gateway gave up ringing: nothing to do
      );
    });
  }

  static async start(onAgentAnswered: () => void): Promise<DemoParties> {
    const server = await startSipServer({
      contacts: ['sip:127.0.0.1:0;transport=udp'],
      address: '127.0.0.1',
      port: 0,
      secret: randomBytes(8).toString('hex'),
      logger: pino({ level: 'silent' }),
    });
    const srf = new Srf();
    srf.on('error', () => undefined); // its closing at the end is expected
    try {
      await connectSrf(srf, server.drachtio);
      const udp = server.sipHostports.find((h) => h.startsWith('udp/'))!.slice('udp/'.length);
      const customer = await RtpParty.open(CUSTOMER_HZ);
      const agent = await RtpParty.open(AGENT_HZ);
      return new DemoParties(server, srf, customer, agent, `sip:carol@${udp}`, onAgentAnswered);
    } catch (err) {
      abandonSrf(srf);
      await server.close();
      throw err;
    }
  }

  /** The customer calls `uri`; resolves once answered (early media is heard meanwhile). */
  async call(uri: string): Promise<void> {
    this.customerDialog = await this.srf.createUAC(
      uri,
      { localSdp: this.customer.sdp(), headers: { From: '<sip:customer@127.0.0.1>' } },
      {
        cbProvisional: (res: { status: number; body?: string }) => {
          if (res.body) this.customer.sendTo(res.body);
        },
      },
    );
    this.customer.sendTo(this.customerDialog.remote.sdp);
    this.customer.speak();
  }

  /** The customer hangs up. */
  async hangUp(): Promise<void> {
    this.customer.silence();
    await this.customerDialog?.destroy();
    this.customerDialog = undefined;
  }

  /** Whether the gateway released the agent's leg (its BYE came). */
  agentReleased = false;

  async close(): Promise<void> {
    this.customer.close();
    this.agent.close();
    abandonSrf(this.srf);
    await this.server.close();
  }
}
