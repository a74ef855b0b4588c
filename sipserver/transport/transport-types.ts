// What the transport layer hands up and accepts, independent of the wire (RFC 3261 §18).
export type TransportProtocol = 'udp' | 'tcp' | 'ws' | 'tls' | 'wss';

export interface Endpoint {
  address: string;
  port: number;
}

/** A connection (TCP, WebSocket, later TLS/WSS) over which messages flow both ways. */
export interface Flow {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly closed: boolean;
  send(data: Buffer): void;
  close(): void;
}

export interface Inbound {
  data: Buffer;
  protocol: TransportProtocol;
  local: Endpoint;
  remote: Endpoint;
  /** Set for connection-oriented transports: responses and later requests go back on it. */
  flow?: Flow;
  /**
   * Set when a stream could not be cut into messages (bad or missing Content-Length):
   * `data` is what was read of the header section; the connection closes after this.
   */
  unframeable?: Error;
}

export interface TransportHandlers {
  onMessage(msg: Inbound): void;
  onFlowClosed(flow: Flow): void;
}

/** A listening transport; `send` without a flow opens one where the protocol allows. */
export interface Transport {
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
  send(data: Buffer, remote: Endpoint): Flow | undefined;
  findFlow(remote: Endpoint): Flow | undefined;
  close(): Promise<void>;
}

/** Cap on one message; larger ones are refused (and their stream closed). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** UDP socket buffers asked of the kernel (it caps them at net.core.rmem_max/wmem_max). */
export const DEFAULT_UDP_BUFFER_BYTES = 4 * 1024 * 1024;
