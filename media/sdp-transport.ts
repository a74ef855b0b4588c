// What a party needs from an SDP to keep its media flowing: where to send (address, port,
// protocol) and, for WebRTC, which ICE credentials and DTLS fingerprint to expect. When
// rtpengine re-pairs a party with someone else and these stay the same, the party needs no
// re-INVITE (codec lists and a=setup differ between offers and answers and do not count).
import { attr, audioOf, parseSdp } from './sdp';

export interface MediaTransport {
  address?: string;
  port: number;
  proto: string;
  iceUfrag?: string;
  icePwd?: string;
  fingerprint?: string;
}

/** The transport of the first audio section, or undefined when there is none (or bad SDP). */
export function mediaTransport(sdp: string): MediaTransport | undefined {
  try {
    const audio = audioOf(parseSdp(sdp));
    if (!audio) return undefined;
    return {
      address: audio.address,
      port: audio.port,
      proto: audio.proto,
      iceUfrag: attr(audio, 'ice-ufrag'),
      icePwd: attr(audio, 'ice-pwd'),
      fingerprint: attr(audio, 'fingerprint')?.toUpperCase(),
    };
  } catch {
    return undefined;
  }
}

/** Whether a party that has `before` must be told about `after` (a re-INVITE). */
export function transportChanged(before: string, after: string): boolean {
  const a = mediaTransport(before);
  const b = mediaTransport(after);
  if (!a || !b) return true;
  return (
    a.address !== b.address ||
    a.port !== b.port ||
    a.proto !== b.proto ||
    a.iceUfrag !== b.iceUfrag ||
    a.icePwd !== b.icePwd ||
    a.fingerprint !== b.fingerprint
  );
}
