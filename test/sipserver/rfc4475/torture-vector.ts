// One RFC 4475 ("SIP Torture Test Messages") message and what the embedded server must do
// with it over each transport. The messages are the RFC's, byte for byte as its text shows
// them (CRLF line ends; §2.2's <hex> escapes written as \x.. escapes; §2.1's <allOneLine>
// joined); the outcomes are this server's reading of what the RFC asks of an endpoint.

/** What the client sees after sending the message (the app answers INVITE 480, else 200). */
export type Outcome =
  /** Handed to the app: these requests arrive there, in order, and their answers come back. */
  | { app: string[] }
  /** Answered by the stack itself; `closes`: a stream connection is closed afterwards. */
  | { status: number; closes?: boolean }
  /** Nothing comes back; the server logs it as a `stray` response or an `invalid` message. */
  | { dropped: 'stray' | 'invalid'; closes?: boolean }
  /** Stream only: nothing comes back and the connection stays open, waiting for more. */
  | { waits: true };

export interface TortureVector {
  /** The message's name in the RFC (its archive file name without .dat). */
  name: string;
  /** RFC 4475 section. */
  section: string;
  title: string;
  bytes: Buffer;
  /** Why this outcome (what the RFC says an element does with it). */
  why: string;
  udp: Outcome;
  tcp: Outcome;
}

/** Message text with LF line ends as written here → the CRLF bytes on the wire. */
export function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

/** The SDP body most of the RFC's INVITEs carry, for the given addresses. */
export function rfcSdp(origin: string, connection = origin, time = '0 0'): string {
  return [
    'v=0',
    `o=mhandley 29739 7272939 IN IP4 ${origin}`,
    's=-',
    `c=IN IP4 ${connection}`,
    `t=${time}`,
    'm=audio 49217 RTP/AVP 0 12',
    'm=video 3227 RTP/AVP 31',
    'a=rtpmap:31 LPC',
    '',
  ].join('\n');
}
