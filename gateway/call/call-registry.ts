// The calls in progress, by id. A call is opened here for a customer INVITE and forgotten
// here when it closes: the registry is the only map of calls.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MediaSession, type NgClient } from '../../media';
import type { SipDialog, SipRequest, SipResponse } from '../sip-types/srf-types';
import type { AdoptedPrimary } from './leg-dialer';
import { Call, type CallDeps } from './call';

export interface AdoptedCall {
  id: string;
  session: MediaSession;
  /** The customer's INVITE as the dead instance received it. */
  request: SipRequest;
  customerDialog: SipDialog;
  primary: AdoptedPrimary;
  agentDialog: SipDialog;
}

export interface CallRegistryEvents {
  /** A call was opened (observers attach here: records, metrics, engagements). */
  opened: [call: Call];
  /** A call closed and was forgotten. */
  closed: [call: Call];
}

export class CallRegistry extends EventEmitter<CallRegistryEvents> {
  private readonly calls = new Map<string, Call>();

  constructor(
    private readonly ng: NgClient,
    private readonly deps: CallDeps,
  ) {
    super();
  }

  /** The calls in progress (read-only). */
  get all(): ReadonlyMap<string, Call> {
    return this.calls;
  }

  get size(): number {
    return this.calls.size;
  }

  /** A new call for a customer's INVITE, with its own rtpengine call-id. */
  open(req: SipRequest, res: SipResponse): Call {
    const id = randomUUID();
    return this.register(
      new Call(id, this.deps, new MediaSession(this.ng, `holdfast-${id}`), req, res),
    );
  }

  /**
   * A dead instance's connected call, carried on here under its own id and rtpengine
   * session (`session`, restored): observers hear of it as of any call opened, then of its
   * agent leg as answered.
   */
  adopt(a: AdoptedCall): Call {
    const stub = { finalResponseSent: true, send: () => {} } as unknown as SipResponse;
    const call = this.register(new Call(a.id, this.deps, a.session, a.request, stub, true));
    call.adoptCall(a.customerDialog, a.primary, a.agentDialog);
    void call.audio.sync();
    return call;
  }

  /** Known until it ends; observers hear of it first. */
  private register(call: Call): Call {
    this.calls.set(call.id, call);
    call.once('ended', () => {
      this.calls.delete(call.id);
      this.emit('closed', call);
    });
    this.emit('opened', call);
    return call;
  }

  /** Ends every call (shutdown). */
  async closeAll(reason: 'shutdown'): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => c.close(reason)));
  }
}
