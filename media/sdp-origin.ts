// One SDP origin per party for the whole dialog (RFC 3261 §13.2.1, RFC 3264 §8): every SDP
// holdfast sends to a leg carries the same o= username, session id and address, and a
// version that grows by exactly one when the rest of the body changed (and stays when it
// did not). The s= line keeps its first value too.
//
// rtpengine 10.5 cannot do this alone (measured, see README): with replace 'username' and
// 'SDP-version' it keeps the username and counts versions per receiving tag, but copies the
// session id from whichever party the SDP was made from — the stand-in's, then each
// agent's — and it counts SDPs that holdfast never sends.
import { randomInt } from 'node:crypto';

export interface LegOrigin {
  username: string;
  sessionId: string;
  version: number;
  /** "<nettype> <addrtype> <address>" of the first SDP sent to the leg. */
  address: string;
  sessionName?: string;
  /** The last SDP sent, and its body without the o= line (what a version covers). */
  sent: string;
  body: string;
}

/** A fresh numeric session id (RFC 8866 §5.2: a numeric string; 2^48 keeps it short). */
export function randomSessionId(): string {
  return String(randomInt(1, 2 ** 48));
}

export class SdpOrigins {
  private readonly legs = new Map<string, LegOrigin>();

  constructor(private readonly newSessionId: () => string = randomSessionId) {}

  /** Every leg's origin, for another process to carry on (MediaSession.snapshot). */
  snapshot(): [string, LegOrigin][] {
    return [...this.legs].map(([tag, o]) => [tag, { ...o }]);
  }

  restore(origins: [string, LegOrigin][]): void {
    for (const [tag, o] of origins) this.legs.set(tag, { ...o });
  }

  /** `sdp` with the leg's origin and session name, remembered as the last SDP sent to it. */
  stamp(tag: string, sdp: string): string {
    const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
    const lines = sdp.split(/\r?\n/);
    const oAt = lines.findIndex((l) => l.startsWith('o='));
    const sAt = lines.findIndex((l) => l.startsWith('s='));
    const known = this.legs.get(tag);
    const sessionName = known ? known.sessionName : sAt >= 0 ? lines[sAt] : undefined;
    if (sAt >= 0 && sessionName !== undefined) lines[sAt] = sessionName;
    const bodyLines = lines.filter((_, i) => i !== oAt);
    const body = bodyLines.join('\n');
    let origin: LegOrigin;
    if (!known) {
      const parts = oAt >= 0 ? lines[oAt].slice(2).split(' ') : [];
      origin = {
        username: '-',
        sessionId: this.newSessionId(),
        version: 1,
        address: parts.length === 6 ? parts.slice(3).join(' ') : 'IN IP4 0.0.0.0',
        sessionName,
        sent: '',
        body,
      };
      this.legs.set(tag, origin);
    } else {
      origin = known;
      if (body !== origin.body) {
        origin.version++;
        origin.body = body;
      }
    }
    const oLine = `o=${origin.username} ${origin.sessionId} ${origin.version} ${origin.address}`;
    if (oAt >= 0) lines[oAt] = oLine;
    else lines.splice(lines[0]?.startsWith('v=') ? 1 : 0, 0, oLine);
    origin.sent = lines.join(eol);
    return origin.sent;
  }

  /** The last SDP stamped for `tag`: what that party was given. */
  lastSent(tag: string): string | undefined {
    return this.legs.get(tag)?.sent;
  }

  forget(tag: string): void {
    this.legs.delete(tag);
  }
}
