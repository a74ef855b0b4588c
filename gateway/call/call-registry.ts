// The calls in progress, by id. A call is opened here for a customer INVITE and forgotten
// here when it closes: the registry is the only map of calls.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MediaSession, type NgClient } from '../../media';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';
import { Call, type CallDeps } from './call';

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
    const call = new Call(id, this.deps, new MediaSession(this.ng, `holdfast-${id}`), req, res);
    this.calls.set(id, call);
    call.once('ended', () => {
      this.calls.delete(id);
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
