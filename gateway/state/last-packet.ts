// When the quieter of a call's parties last sent, from rtpengine's query reply: whose
// silence means a hang-up on a call nobody hears the BYEs of.
/**
 * When the quieter party last sent (rtpengine's query: "last packet" in unix seconds per
 * stream; a party's latest stream counts, its RTCP or an old one does not; other tags, a
 * stand-in's, are not parties). Now when rtpengine shows no party yet.
 */
export function lastPacketMs(reply: Record<string, unknown>, parties: string[] = []): number {
  let quietest = Infinity;
  const tags = (reply.tags ?? {}) as Record<string, { medias?: { streams?: object[] }[] }>;
  for (const [name, tag] of Object.entries(tags)) {
    if (!parties.includes(name)) continue;
    let latest = 0;
    for (const m of tag.medias ?? [])
      for (const s of m.streams ?? [])
        latest = Math.max(latest, Number((s as Record<string, unknown>)['last packet']) || 0);
    quietest = Math.min(quietest, latest * 1000);
  }
  return Number.isFinite(quietest) ? quietest : Date.now();
}
