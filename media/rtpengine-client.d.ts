// Types for the parts of rtpengine-client (CommonJS, untyped) that ng-client.ts uses.
// Only the UDP Client: its TCP and WebSocket clients have known defects (see
// shared/docs/rtpengine-notes.md).
declare module 'rtpengine-client' {
  import type { Socket } from 'node:dgram';
  import type { EventEmitter } from 'node:events';

  export type Bencodable = string | number | Buffer | Bencodable[] | { [key: string]: Bencodable };

  export interface ClientOptions {
    localPort?: number;
    localAddress?: string;
    /** Milliseconds; the library rejects with its own RtpEngineError when it elapses. */
    timeout?: number;
  }

  export interface Destination {
    port: number;
    host: string;
  }

  type Method = (dest: Destination, dict?: Record<string, Bencodable>) => Promise<unknown>;

  export class Client extends EventEmitter {
    constructor(opts: ClientOptions);
    socket: Socket;
    /** Pending reply timers by cookie (only with `timeout`); cleared by NgClient.close(). */
    timers: Map<string, NodeJS.Timeout>;
    ping: Method;
    offer: Method;
    answer: Method;
    delete: Method;
    list: Method;
    query: Method;
    blockMedia: Method;
    unblockMedia: Method;
    silenceMedia: Method;
    unsilenceMedia: Method;
    playMedia: Method;
    stopMedia: Method;
    statistics: Method;
    close(): void;
  }

  export class RtpEngineError extends Error {}
}
