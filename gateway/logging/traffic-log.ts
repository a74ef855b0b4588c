// SIP and ng (rtpengine) traffic is logged at debug only: at info a busy gateway would
// flood its log. The level test comes first so that nothing is built when debug is off.
import type { Logger } from 'pino';
import { scrubSipText } from './redaction';

export type Direction = 'in' | 'out';

export interface TrafficLog {
  /** A SIP message as text (credentials scrubbed), with where it came from or went to. */
  sip(direction: Direction, text: string, peer?: string): void;
  /** An ng command or its reply (rtpengine's dictionary, without SDP bodies unless trace). */
  ng(direction: Direction, command: string, data: Record<string, unknown>): void;
}

function withoutSdp(data: Record<string, unknown>): Record<string, unknown> {
  if (typeof data.sdp !== 'string') return data;
  return { ...data, sdp: `[${data.sdp.length} bytes]` };
}

export function trafficLog(log: Logger): TrafficLog {
  const sipLog = log.child({ traffic: 'sip' });
  const ngLog = log.child({ traffic: 'ng' });
  return {
    sip(direction, text, peer) {
      if (!sipLog.isLevelEnabled('debug')) return;
      const firstLine = text.slice(0, Math.max(0, text.indexOf('\r\n'))) || text.split('\n')[0];
      sipLog.debug({ direction, peer, message: scrubSipText(text) }, firstLine);
    },
    ng(direction, command, data) {
      if (!ngLog.isLevelEnabled('debug')) return;
      // SDP bodies are large: only at trace.
      const body = ngLog.isLevelEnabled('trace') ? data : withoutSdp(data);
      ngLog.debug({ direction, command, data: body }, `ng ${command}`);
    },
  };
}
