// The media port range of a private rtpengine, and how many calls it carries.
//
// Measured on rtpengine 10.5 (sockets it holds per call): a plain RTP leg takes 2 ports
// (an even RTP port and the RTCP port above it), a WebRTC leg 1 (rtcp-mux), a call holds
// one leg per party: customer + agent = 2 legs (4 ports with RTP agents); a queued
// customer is paired with a stand-in leg (also 2 legs); while an agent leg is replaced
// (reattach, reroute) the new one exists before the old one goes, and the old one, left
// alone, is paired with a stand-in of its own (media/call-topology.ts): 4 legs, 8 ports.
// A range of P ports therefore carries P / 4 calls at rest and P / 8 when every call is
// being rerouted at once — which is exactly the moment the gateway exists for (a desktop
// outage drops many agents together). Capacity is counted at the peak.
//
// The old range of 1000 ports gave 250 calls at rest (the "~249 calls" cliff) and 125 at
// the peak. The launcher's default, 6000 ports, carries 750 calls at the peak and 1500 at
// rest: a 500-call target with half to spare (the gateway's config default is larger).

export interface PortRange {
  min: number;
  max: number;
}

export interface CapacityOptions {
  /** Legs per call at the peak; default 4 (customer, new agent leg, old one + its stand-in). */
  legsPerCall?: number;
  /** Ports per leg; default 2 (plain RTP + RTCP; a WebRTC leg needs 1). */
  portsPerLeg?: number;
}

export const DEFAULT_PORT_COUNT = 6000;
/** The call count the default range is sized for. */
export const TARGET_CALLS = 500;

/** Throws a RangeError saying what is wrong with a range. */
export function checkPortRange(range: PortRange): void {
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max))
    throw new RangeError(`media port range needs integer min and max (got ${min}-${max})`);
  if (min < 1024 || max > 65535)
    throw new RangeError(`media port range ${min}-${max} must lie within 1024-65535`);
  if (max - min + 1 < 4)
    throw new RangeError(`media port range ${min}-${max} holds fewer than 4 ports (one call)`);
}

export function portCount(range: PortRange): number {
  return range.max - range.min + 1;
}

/** How many calls the range carries at the peak (every call mid-reroute). */
export function callsForPortRange(range: PortRange, opts: CapacityOptions = {}): number {
  const perCall = (opts.legsPerCall ?? 4) * (opts.portsPerLeg ?? 2);
  return Math.floor(portCount(range) / perCall);
}

/** A start-up warning when the range carries fewer than `wantedCalls`; else undefined. */
export function portRangeWarning(
  range: PortRange,
  wantedCalls = TARGET_CALLS,
  opts: CapacityOptions = {},
): string | undefined {
  const calls = callsForPortRange(range, opts);
  if (calls >= wantedCalls) return undefined;
  const needed = wantedCalls * (opts.legsPerCall ?? 4) * (opts.portsPerLeg ?? 2);
  return (
    `media port range ${range.min}-${range.max} (${portCount(range)} ports) carries about ` +
    `${calls} calls when every call is being rerouted; ${wantedCalls} need ${needed} ports ` +
    `(media.ports)`
  );
}
