// One ng offer or answer with the flags of the profile of the leg that receives the
// resulting SDP, and rtpengine's refusals of an SDP turned into UnsupportedSdpError (→ 488).
import { RtpengineError, UnsupportedSdpError } from './errors';
import { profileFlags, type LegProfile } from './leg-profile';
import type { NgCommand, NgParams, NgReply } from './ng-types';

export type NgRequest = (command: NgCommand, params: NgParams) => Promise<NgReply>;

export interface Negotiation {
  command: 'offer' | 'answer';
  /** The offerer's tag (for an answer too: rtpengine's from-tag is the offer's). */
  fromTag: string;
  toTag: string;
  sdp: string;
  /** Profile of the leg the resulting SDP is for. */
  outProfile: LegProfile;
}

const SDP_REASONS = /parse SDP|Incomplete SDP|rewriting SDP/i;

/** Sends the offer or answer; resolves with rtpengine's SDP. */
export async function negotiate(
  request: NgRequest,
  callId: string,
  n: Negotiation,
): Promise<string> {
  let reply: NgReply;
  try {
    reply = await request(n.command, {
      ...profileFlags(n.outProfile),
      'from-tag': n.fromTag,
      'to-tag': n.toTag,
      sdp: n.sdp,
    });
  } catch (err) {
    if (err instanceof RtpengineError && err.reason && SDP_REASONS.test(err.reason)) {
      const leg = n.command === 'offer' ? n.fromTag : n.toTag;
      throw new UnsupportedSdpError(
        `call ${callId}, leg ${leg}: rtpengine rejected the SDP: ${err.reason}`,
        leg,
        err,
      );
    }
    throw err;
  }
  if (typeof reply.sdp !== 'string') {
    throw new RtpengineError(
      `rtpengine's ${n.command} reply for call ${callId} has no SDP`,
      n.command,
      callId,
      undefined,
      'refused',
    );
  }
  return reply.sdp;
}
