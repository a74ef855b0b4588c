// Everything a MediaSession knows of its rtpengine call beyond what rtpengine keeps: each
// party's last SDP, direction and pairing, the stand-ins, the block reasons and the SDP
// origins. Plain data (JSON), so that another holdfast process can carry the call on when
// the one that set it up is gone (gateway/state: a survivor's takeover).
import type { BlockState } from './block-reasons';
import type { Leg } from './call-topology';
import type { LegOrigin } from './sdp-origin';

export interface SessionSnapshot {
  callId: string;
  legs: Leg[];
  blocks: BlockState;
  origins: [string, LegOrigin][];
}
