// What kind of media endpoint a leg is, and the ng flags that make rtpengine produce SDP
// for it. Flags apply to the SDP rtpengine *sends to* that leg.
import type { NgParams } from './ng-types';
import { mediaTransport } from './sdp-transport';

/** 'rtp': plain RTP/AVP (SBC, SIP phones, SIPp). 'webrtc': ICE + DTLS-SRTP, SAVPF. */
export type LegProfile = 'rtp' | 'webrtc';

export const LEG_PROFILES: readonly LegProfile[] = ['rtp', 'webrtc'];

// 'port latching' keeps rtpengine's ports towards a party unchanged when its peer changes:
// without it the customer's port moves each time a new agent leg answers (measured), which
// would need a re-INVITE to the customer.
const COMMON: NgParams = {
  flags: ['port latching'],
  replace: ['origin', 'session-connection'],
};

const RTP: NgParams = {
  ...COMMON,
  'transport-protocol': 'RTP/AVP',
  ICE: 'remove',
  DTLS: 'off',
  'rtcp-mux': ['demux'],
};

const WEBRTC: NgParams = {
  ...COMMON,
  // a=rtcp is redundant with rtcp-mux required, and some stacks misparse its short form.
  flags: ['port latching', 'generate mid', 'no rtcp attribute'],
  'transport-protocol': 'UDP/TLS/RTP/SAVPF',
  ICE: 'force',
  DTLS: 'passive',
  // A list: the bare string 'off' is silently ignored by rtpengine.
  SDES: ['off'],
  'rtcp-mux': ['offer', 'require'],
};

export function profileFlags(profile: LegProfile): NgParams {
  switch (profile) {
    case 'rtp':
      return RTP;
    case 'webrtc':
      return WEBRTC;
  }
}

export function isLegProfile(value: unknown): value is LegProfile {
  return typeof value === 'string' && (LEG_PROFILES as readonly string[]).includes(value);
}

/**
 * The profile a party's own SDP shows it speaks, when it is one of ours: its transport only
 * suggested one (a WebSocket agent may answer in plain RTP). Undefined for anything else.
 */
export function profileOfSdp(sdp: string): LegProfile | undefined {
  switch (mediaTransport(sdp)?.proto) {
    case 'RTP/AVP':
      return 'rtp';
    case 'UDP/TLS/RTP/SAVPF':
      return 'webrtc';
    default:
      return undefined;
  }
}
