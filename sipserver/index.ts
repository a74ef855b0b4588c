// The embedded drachtio-compatible SIP server: drachtio-srf apps connect to it as to a
// drachtio-server (inbound mode); it speaks SIP over UDP, TCP, TLS, WS and WSS.
export { startSipServer, VERSION } from './sip-server';
export type { SipServer, SipServerOptions } from './sip-server';
export type { Clock } from '../time/clock';
export type { TimerValues } from './transaction/timer-values';
export { TlsConfigError } from './transport/tls-material';
export type { TlsOptions } from './transport/tls-material';
