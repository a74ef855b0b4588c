// An agent's media profile follows how it reaches us: over WebSocket it is a browser
// (WebRTC: ICE + DTLS-SRTP), otherwise a plain RTP endpoint.
import type { LegProfile } from '../../media/leg-profile';

export function profileForTransport(transport: string): LegProfile {
  return /^wss?$/i.test(transport) ? 'webrtc' : 'rtp';
}

/** The transport a SIP URI asks for (;transport=…), udp when it says nothing. */
export function transportOfUri(uri: string): string {
  const m = /;transport=([a-z]+)/i.exec(uri);
  if (m) return m[1].toLowerCase();
  return /^sips:/i.test(uri) ? 'tls' : 'udp';
}
