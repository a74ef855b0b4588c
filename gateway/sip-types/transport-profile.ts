// An agent's media profile follows how it reaches us: over WebSocket it is a browser
// (WebRTC: ICE + DTLS-SRTP), otherwise a plain RTP endpoint.
import type { LegProfile } from '../../media';

export function profileForTransport(transport: string): LegProfile {
  return /^wss?$/i.test(transport) ? 'webrtc' : 'rtp';
}

/**
 * The transport a request arrived on, from its top Via (`SIP/2.0/WSS host…`). drachtio-server
 * reports WebSocket connections to apps as `tcp` (and WSS as `tls`), so the Via — written by
 * the client itself — is the only reliable witness; the reported protocol is the fallback.
 */
export function transportOfRequest(via: string | undefined, reported: string | undefined): string {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)/.exec(via ?? '');
  return (m?.[1] ?? reported ?? 'udp').toLowerCase();
}

/** The transport a SIP URI asks for (;transport=…), udp when it says nothing. */
export function transportOfUri(uri: string): string {
  const m = /;transport=([a-z]+)/i.exec(uri);
  if (m) return m[1].toLowerCase();
  return /^sips:/i.test(uri) ? 'tls' : 'udp';
}
