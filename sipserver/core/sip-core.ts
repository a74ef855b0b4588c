// The UA core between the network and the drachtio apps: owns transactions, dialogs and
// the routing of messages between them. Network requests are handled in
// network-requests.ts, app messages in app-messages.ts; this file keeps the shared state.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppConnection } from '../drachtio/app-connection';
import { RouteTable } from '../drachtio/route-table';
import type { Dialog } from '../dialog/dialog';
import { DialogStore } from '../dialog/dialog-store';
import { serialize } from '../message/serialize';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message';
import { parseUri } from '../message/uri';
import { uriOf } from '../message/name-addr';
import type { Clock, Timer } from '../../time/clock';
import type { TimerValues } from '../transaction/timer-values';
import { InviteClientTransaction } from '../transaction/invite-client-transaction';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction';
import { NonInviteClientTransaction } from '../transaction/non-invite-client-transaction';
import type { NonInviteServerTransaction } from '../transaction/non-invite-server-transaction';
import type { TransactionContext } from '../transaction/transaction';
import type { Sent, TransportLayer } from '../transport/transport-layer';
import type { Endpoint, Flow, TransportProtocol } from '../transport/transport-types';
import { responseTo } from './message-factory';
import { wireMeta } from './wire-meta';
import { WsRegistrations } from './ws-registrations';

/** Where a message goes: protocol, peer, our local address, and the connection if any. */
export interface Target {
  protocol: TransportProtocol;
  remote: Endpoint;
  local: Endpoint;
  flow?: Flow;
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

/** A network request handed to an app, waiting for the app's response. */
export interface ServerEntry {
  txnId: string;
  txn: ServerTransaction;
  request: SipRequest;
  source: Target;
  conn?: AppConnection;
  /** Our To tag for this request's responses (§8.2.6.2), fixed at the first use. */
  toTag: string;
  dialog?: Dialog;
  dropTimer?: Timer;
  finalSent: boolean;
}

/** A request we sent, for an app (conn set) or for ourselves (BYE after ACK timeout). */
export interface ClientEntry {
  txnId: string;
  txn: ClientTransaction;
  request: SipRequest;
  target: Target;
  conn?: AppConnection;
  /** Dialog id reported with responses (INVITE: the dialog this INVITE may create). */
  dialogId?: string;
  dialog?: Dialog;
  /** App CANCEL waiting for a provisional response before it may be sent (§9.1). */
  pendingCancel?: ClientEntry;
  /** Hands a response to the request's user as if it came from the network. */
  deliver: (res: SipResponse) => void;
}

export interface CoreOptions {
  timers: TimerValues;
  /** No ACK for our 2xx within this many ms → BYE (default 64*T1 = 32 s). */
  ackTimeout: number;
  /** An app that never answers a network request: forget it after this many ms (64 s). */
  pendingRequestTimeout: number;
  /** Option tags a new request may Require (lower case); others get 420. */
  supportedOptionTags: Set<string>;
}

export class SipCore {
  readonly routes = new RouteTable<AppConnection>();
  readonly dialogs = new DialogStore();
  readonly registrations = new WsRegistrations();
  /** Server transactions by RFC 3261 §17.2.3 key, and by the txnId apps know. */
  readonly serverByKey = new Map<string, ServerEntry>();
  readonly serverById = new Map<string, ServerEntry>();
  /** Client transactions by §17.1.3 key, and by txnId. */
  readonly clientByKey = new Map<string, ClientEntry>();
  readonly clientById = new Map<string, ClientEntry>();
  /** UAC dialogs that ended in a non-2xx final: the app's ACK for them gets a NOK. */
  readonly failedInvites = new Map<string, Timer>();
  closed = false;

  constructor(
    readonly transports: TransportLayer,
    readonly clock: Clock,
    readonly options: CoreOptions,
    readonly logger: Logger,
  ) {}

  newId(): string {
    return randomUUID();
  }

  /** Serialises and sends; returns where it went and the bytes, or throws. */
  send(msg: SipMessage, target: Target): { sent: Sent; bytes: Buffer } {
    const bytes = serialize(msg);
    const sent = this.transports.send(bytes, target.protocol, target.remote, target.flow);
    if (sent.flow) target.flow = sent.flow;
    return { sent, bytes };
  }

  /** Sends, logging instead of throwing: for retransmissions and stack-made messages. */
  trySend(msg: SipMessage, target: Target): void {
    try {
      this.send(msg, target);
    } catch (err) {
      this.logger.debug({ err: (err as Error).message, remote: target.remote }, 'send failed');
    }
  }

  txnContext(target: Target): TransactionContext {
    return {
      clock: this.clock,
      timers: this.options.timers,
      reliable: target.protocol !== 'udp',
      send: (m) => this.trySend(m, target),
    };
  }

  /** Local address of the transport used for `protocol` (for Via and Contact). */
  localFor(protocol: TransportProtocol): Endpoint {
    const t = this.transports.find(protocol);
    if (!t) throw new Error(`no ${protocol} transport configured`);
    return t.local;
  }

  /**
   * The next hop for a request URI (RFC 3263 reduced to literal addresses): a registered
   * WebSocket connection first, then host, port and transport parameter of the URI.
   */
  resolve(uriText: string): Target {
    const flow = this.registrations.lookup(uriText);
    if (flow) return { protocol: flow.protocol, remote: flow.remote, local: flow.local, flow };
    // A bare request URI keeps its parameters; a name-addr (Route value) is unwrapped.
    const uri = parseUri(uriText.includes('<') ? uriOf(uriText) : uriText);
    if (!uri) throw new Error(`cannot route to '${uriText}': not a SIP URI`);
    let protocol = (uri.params.transport ?? (uri.scheme === 'sips' ? 'tls' : 'udp')).toLowerCase();
    if (!['udp', 'tcp', 'ws', 'tls', 'wss'].includes(protocol)) protocol = 'udp';
    const p = protocol as TransportProtocol;
    if (p === 'ws' || p === 'wss' || uri.host.endsWith('.invalid')) {
      throw new Error(`cannot route to '${uriText}': no WebSocket connection for it`);
    }
    const transport = this.transports.find(p);
    if (!transport) throw new Error(`cannot route to '${uriText}': no ${p} transport configured`);
    const remote = { address: uri.host, port: uri.port ?? (p === 'tls' ? 5061 : 5060) };
    const existing = transport.findFlow(remote);
    return { protocol: p, remote, local: transport.local, flow: existing };
  }

  /** The target for an in-dialog request: its connection if still open, else the next hop. */
  dialogTarget(dialog: Dialog): Target {
    if (dialog.flow && !dialog.flow.closed) {
      const f = dialog.flow;
      return { protocol: f.protocol, remote: f.remote, local: f.local, flow: f };
    }
    if (dialog.protocol === 'ws' || dialog.protocol === 'wss') {
      // The agent may have reconnected and registered again: follow its new connection.
      const flow =
        this.registrations.lookup(dialog.remoteTarget) ??
        this.registrations.lookup(uriOf(dialog.remoteParty));
      if (!flow) throw new Error(`the WebSocket connection of dialog ${dialog.id} is closed`);
      dialog.flow = flow;
      return { protocol: flow.protocol, remote: flow.remote, local: flow.local, flow };
    }
    const next = dialog.routeSet.length ? uriOf(dialog.routeSet[0]) : dialog.remoteTarget;
    return this.resolve(next);
  }

  /** Starts a client transaction for `request` towards `target`. */
  startClient(
    request: SipRequest,
    target: Target,
    entry: Omit<ClientEntry, 'txn' | 'txnId' | 'request' | 'target' | 'deliver'>,
    onResponse: (res: SipResponse, e: ClientEntry) => void,
    onTimeout: (e: ClientEntry) => void,
  ): ClientEntry {
    const txnId = this.newId();
    const user = {
      onResponse: (res: SipResponse) => onResponse(res, e),
      onTimeout: () => onTimeout(e),
      onTerminated: () => {
        if (this.clientByKey.get(key) === e) this.clientByKey.delete(key);
        this.clientById.delete(txnId);
      },
    };
    const ctx = this.txnContext(target);
    const txn =
      request.method === 'INVITE'
        ? new InviteClientTransaction(txnId, request, ctx, user)
        : new NonInviteClientTransaction(txnId, request, ctx, user);
    const e: ClientEntry = {
      ...entry,
      txnId,
      txn,
      request,
      target,
      deliver: (res) => onResponse(res, e),
    };
    const key = clientKeyOf(request);
    this.clientByKey.set(key, e);
    this.clientById.set(txnId, e);
    return e;
  }

  /** `sip|network|…|<txnId>|<dialogId>|` followed by the raw message, to an app. */
  forwardToApp(
    conn: AppConnection,
    raw: string,
    from: Target,
    txnId: string,
    dialogId: string,
    extra: string[] = [],
  ): void {
    const meta = wireMeta(
      'network',
      Buffer.byteLength(raw),
      from.protocol,
      from.remote.address,
      from.remote.port,
    );
    conn.send(['sip', ...meta, txnId, dialogId, ...extra, ''], raw);
  }

  /**
   * A connection closed under requests still waiting for a final response: they cannot
   * get one any more, so their users get a 503 now rather than at Timer B/F (RFC 3261
   * §8.1.3.1: a transport error is treated as a 503).
   */
  failRequestsOn(flow: Flow): void {
    for (const e of [...this.clientById.values()]) {
      const waiting = ['Calling', 'Trying', 'Proceeding'].includes(e.txn.state);
      if (e.target.flow !== flow || !waiting) continue;
      e.txn.terminate();
      const res = responseTo(e.request, 503, 'Service Unavailable');
      res.append('Reason', 'SIP;cause=503;text="connection closed"');
      e.deliver(res);
    }
  }

  failInvite(dialogId: string): void {
    this.failedInvites.get(dialogId)?.cancel();
    this.failedInvites.set(
      dialogId,
      this.clock.after(64 * this.options.timers.T1, () => this.failedInvites.delete(dialogId)),
    );
  }

  close(): void {
    this.closed = true;
    for (const e of [...this.serverById.values()]) e.dropTimer?.cancel();
    for (const e of [...this.serverByKey.values()]) e.txn.terminate();
    for (const e of [...this.clientByKey.values()]) e.txn.terminate();
    for (const d of this.dialogs.all()) this.dialogs.remove(d);
    for (const t of this.failedInvites.values()) t.cancel();
    this.failedInvites.clear();
  }
}

/** RFC 3261 §17.1.3: a response matches by top Via branch and CSeq method. */
export function clientKeyOf(msg: SipMessage): string {
  const via = msg.get('via') ?? '';
  const branch = /;\s*branch=([^;,\s]+)/i.exec(via)?.[1] ?? '';
  return `${branch}|${msg.cseq.method}`;
}
