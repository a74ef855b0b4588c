// Media direction arithmetic for offer/answer (RFC 3264 §6.1) and rewriting it in SDP.
import type { Direction } from './sdp';

const SENDS: Record<Direction, boolean> = {
  sendrecv: true,
  sendonly: true,
  recvonly: false,
  inactive: false,
};
const RECEIVES: Record<Direction, boolean> = {
  sendrecv: true,
  sendonly: false,
  recvonly: true,
  inactive: false,
};

export function directionOf(send: boolean, receive: boolean): Direction {
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  if (receive) return 'recvonly';
  return 'inactive';
}

/** Whether a party whose own SDP says `d` will send media. */
export function sends(d: Direction): boolean {
  return SENDS[d];
}

/** The direction an answerer who would like `wanted` may answer to an offer of `offered`. */
export function answerDirection(offered: Direction, wanted: Direction): Direction {
  return directionOf(SENDS[wanted] && RECEIVES[offered], RECEIVES[wanted] && SENDS[offered]);
}

/**
 * Replaces every direction attribute of an SDP body with `d`, one at the end of each media
 * section (after its c=/b= lines: an a= line before them makes rtpengine reject the SDP).
 */
export function withDirection(sdp: string, d: Direction): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp
    .split(/\r?\n/)
    .filter((l) => !/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l));
  const trailing = lines.length > 0 && lines[lines.length - 1] === '' ? lines.pop() : undefined;
  const out: string[] = [];
  let inMedia = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inMedia) out.push(`a=${d}`);
      inMedia = true;
    }
    out.push(line);
  }
  if (inMedia) out.push(`a=${d}`);
  if (trailing !== undefined) out.push(trailing);
  return out.join(eol);
}
